import { describe, expect, it } from 'vitest';
import { ServerMetrics } from './metrics.ts';

const runId = 'run-20261206030000-abc123';

describe('ServerMetrics', () => {
  it('counts ended runs by kind and outcome, and times the steps that ran', async () => {
    const metrics = new ServerMetrics({ queueDepth: async () => 0 });
    metrics.observe({ type: 'run:queued', runId, app: 'a', kind: 'create' });
    metrics.observe({ type: 'step:end', runId, stepId: 'app:plan', title: 'Plan', status: 'succeeded', durationMs: 1500, reused: false });
    // Reused from an earlier attempt: it took no time now.
    metrics.observe({ type: 'step:end', runId, stepId: 'source:generate', title: 'Generate', status: 'succeeded', durationMs: 900, reused: true });
    metrics.observe({ type: 'run:end', runId, status: 'failed', error: { name: 'InputError', message: 'no base', stepId: 'image:build' } });
    // A run resumed by a later process: its kind comes with run:start.
    metrics.observe({ type: 'run:start', runId: 'run-20261206030000-def456', app: 'b', kind: 'delete', resumed: true });
    metrics.observe({ type: 'run:end', runId: 'run-20261206030000-def456', status: 'succeeded' });
    const text = await metrics.text();
    expect(text).toMatch(/^slipway_runs_total\{kind="create",outcome="failed"\} 1$/m);
    expect(text).toMatch(/^slipway_runs_total\{kind="delete",outcome="succeeded"\} 1$/m);
    // Failures also by the step that failed; a succeeded run is no failure.
    expect(text).toMatch(/^slipway_run_failures_total\{kind="create",stage="image:build"\} 1$/m);
    expect(text).not.toMatch(/^slipway_run_failures_total\{kind="delete"/m);
    expect(text).toMatch(/^slipway_step_duration_seconds_sum\{step="app:plan",status="succeeded"\} 1\.5$/m);
    expect(text).toMatch(/^slipway_step_duration_seconds_bucket\{le="2.5",step="app:plan",status="succeeded"\} 1$/m);
    expect(text).toMatch(/^slipway_step_duration_seconds_bucket\{le="1",step="app:plan",status="succeeded"\} 0$/m);
    expect(text).not.toContain('step="source:generate"');
  });

  it('reads the queue depth when scraped, and counts requests by route pattern', async () => {
    let depth = 3;
    const metrics = new ServerMetrics({ queueDepth: async () => depth });
    metrics.countRequest('GET', '/v1/apps/:app', 404);
    metrics.countRequest('GET', '/v1/apps/:app', 404);
    expect(await metrics.text()).toMatch(/^slipway_queue_depth 3$/m);
    depth = 0;
    const text = await metrics.text();
    expect(text).toMatch(/^slipway_queue_depth 0$/m);
    expect(text).toMatch(/^slipway_http_requests_total\{method="GET",route="\/v1\/apps\/:app",status="404"\} 2$/m);
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it('keeps its own registry with the process metrics, apart from other instances', async () => {
    const one = new ServerMetrics({ queueDepth: async () => 0 });
    const other = new ServerMetrics({ queueDepth: async () => 0 });
    one.countRequest('GET', '/healthz', 200);
    expect(await one.text()).toMatch(/^slipway_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1$/m);
    expect(await other.text()).not.toContain('route="/healthz"');
    expect(await other.text()).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
