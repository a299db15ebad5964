/**
 * Telling Prometheus metrics from a page that answers every path: the check on answers, and the
 * sandbox finding them in real apps it started.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeAnswer } from './http-probe.ts';
import { servesMetrics } from './metrics-probe.ts';
import { app, HEALTHY, healthyServer, names, newSandbox, server } from './sandbox.test-support.ts';

const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';
const EXPOSITION = '# HELP http_requests_total Requests served\n# TYPE http_requests_total counter\nhttp_requests_total{code="200",method="GET"} 3\nprocess_start_time_seconds 1.7e+09\n';
const answer = (body: string, contentType = TEXT_FORMAT, status = 200): ProbeAnswer => ({ kind: 'answer', status, statusText: 'OK', body, contentType });

describe('servesMetrics', () => {
  it('takes the text format and OpenMetrics, descriptors and samples alike', () => {
    expect(servesMetrics(answer(EXPOSITION))).toBe(true);
    expect(servesMetrics(answer('up 1\n', 'text/plain'))).toBe(true);
    expect(servesMetrics(answer('# TYPE jobs_total counter\njobs_total 7 1700000000000\nlatency_bucket{le="+Inf"} 2\n# EOF\n', 'application/openmetrics-text; version=1.0.0'))).toBe(true);
    // Cut at the probe's limit: the unfinished last line is not judged.
    expect(servesMetrics(answer(`${EXPOSITION}http_requests_total{code="5`))).toBe(true);
  });

  it('refuses a page, an empty or descriptor-only body, another status or content type, and no answer', () => {
    expect(servesMetrics(answer('<!doctype html><html><body>Pomodoro</body></html>\n', 'text/html; charset=utf-8'))).toBe(false);
    // A catch-all route that answers text/plain is still no exposition.
    expect(servesMetrics(answer('hello'))).toBe(false);
    expect(servesMetrics(answer('Not found: /metrics\n'))).toBe(false);
    expect(servesMetrics(answer(''))).toBe(false);
    expect(servesMetrics(answer('# HELP up Whether the app is up\n# TYPE up gauge\n'))).toBe(false);
    expect(servesMetrics(answer('# TYPE up sparkline\nup 1\n'))).toBe(false);
    expect(servesMetrics(answer('up one\n'))).toBe(false);
    expect(servesMetrics(answer(EXPOSITION, 'application/json'))).toBe(false);
    expect(servesMetrics(answer(EXPOSITION, TEXT_FORMAT, 404))).toBe(false);
    expect(servesMetrics({ kind: 'refused' })).toBe(false);
  });
});

describe('ProcessSandbox and /metrics', () => {
  it('finds the metrics of an app that serves them, without a check of its own', async () => {
    const { sandbox } = newSandbox();
    const result = await sandbox.verify(app({
      'server.js': server(`${HEALTHY}
        if (req.url === '/metrics') { res.writeHead(200, { 'content-type': ${JSON.stringify(TEXT_FORMAT)} }); res.end(${JSON.stringify(EXPOSITION)}); return; }
        res.writeHead(200, { 'content-type': 'text/html' }); res.end('<h1>timer</h1>');`),
    }));
    expect(result).toMatchObject({ ok: true, metrics: { path: '/metrics' } });
    expect(names(result.checks)).toEqual(['files:ok', 'package.json:ok', 'start:ok', 'GET /healthz:ok', 'GET /:ok']);
  });

  it('finds none in an app whose every path answers its page, or whose /metrics is missing', async () => {
    const { sandbox } = newSandbox();
    const pageEverywhere = await sandbox.verify(app({ 'server.js': server(`${HEALTHY} res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!doctype html><p>timer</p>');`) }));
    expect(pageEverywhere.ok).toBe(true);
    expect(pageEverywhere).not.toHaveProperty('metrics');
    const plain = await sandbox.verify(app({ 'server.js': healthyServer('hello') }));
    expect(plain.ok).toBe(true);
    expect(plain).not.toHaveProperty('metrics');
  });
});
