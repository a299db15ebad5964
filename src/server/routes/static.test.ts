import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerApp, type ServerDeps } from '../app.ts';
import { ServerMetrics } from '../metrics.ts';
import { ASSET_CACHE, CONTENT_SECURITY_POLICY } from './static.ts';

const root = mkdtempSync(join(tmpdir(), 'slipway-web-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A build as Vite leaves it: index.html naming hashed assets, and a file of the public folder. */
function builtPage(): string {
  const dir = join(root, 'web');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/index-B1x2y3z4.js"></script></head><body><div id="app"></div></body></html>');
  writeFileSync(join(dir, 'assets', 'index-B1x2y3z4.js'), 'console.log("page");\n');
  writeFileSync(join(dir, 'assets', 'index-C9d8e7f6.css'), 'body{margin:0}\n');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

/** Static files need no service: one that is called fails the test. */
const unused = new Proxy({}, { get: (_t, method) => () => { throw new Error(`service.${String(method)} was called`); } }) as ServerDeps['service'];

function server(webDir: string) {
  return createServerApp({ service: unused, metrics: new ServerMetrics({ queueDepth: async () => 0 }), logger: pino({ level: 'silent' }), bodyLimit: 1024, version: '0.0.0-test', webDir });
}

function expectPageHeaders(response: Response): void {
  expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('the web page as static files', () => {
  const app = server(builtPage());

  it('serves hashed assets with a year-long immutable cache and their content type', async () => {
    const js = await app.request('/assets/index-B1x2y3z4.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe(ASSET_CACHE);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toBe('console.log("page");\n');
    expectPageHeaders(js);
    const css = await app.request('/assets/index-C9d8e7f6.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('cache-control')).toBe(ASSET_CACHE);
  });

  it("answers index.html, revalidated, on each of the page's routes", async () => {
    for (const path of ['/', '/apps', '/apps/pomodoro-timer', '/runs/run-20261201100000-abc123', '/health', '/sign-in']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control'), path).toBe('no-cache');
      expect(await response.text(), path).toContain('<div id="app"></div>');
      expectPageHeaders(response);
    }
  });

  it('serves other files of the build, and nothing outside it', async () => {
    const icon = await app.request('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
    expectPageHeaders(icon);
    for (const path of ['/assets/missing-0000.js', '/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/elsewhere', '/apps/a/b']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toBe('application/problem+json');
    }
    // A page route is read-only; the API keeps its own answers.
    expect((await app.request('/apps', { method: 'POST' })).status).toBe(404);
    expect((await app.request('/healthz')).headers.get('content-security-policy')).toBeNull();
  });

  it('says how to build the page when there is none', async () => {
    const bare = server(join(root, 'not-built'));
    const response = await bare.request('/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('npm run bundle');
    expectPageHeaders(response);
    expect((await bare.request('/assets/index-B1x2y3z4.js')).status).toBe(404);
  });
});
