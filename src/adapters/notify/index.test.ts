import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.ts';
import { openDatabase } from '../store/sqlite-database.ts';
import { SqliteWebhookStore } from '../store/sqlite-webhook-store.ts';
import { stateFile } from '../store/store.test-support.ts';
import { createNotifier, subscribedWebhooks } from './index.ts';
import { capturedLogger, closedPort, FAILED, FAST_RETRY, notifierFor, startReceiver, SUCCEEDED, verifying, type Receiver } from './receiver.test-support.ts';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(answer: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}

const SLACK_TOKEN_PATH = '/services/T0SECRET/B0SECRET/abcdefSECRETtoken123';

describe('createNotifier', () => {
  it('sends to every target at once, each result naming its target', async () => {
    // Neither receiver answers before both have a request: sent one after the other, the first would time out.
    let arrived = 0;
    let bothArrived!: () => void;
    const barrier = new Promise<void>((resolve) => { bothArrived = resolve; });
    const waiting = (status: number) => receiver((_request, res) => {
      if (++arrived === 2) bothArrived();
      void barrier.then(() => res.writeHead(status).end(status === 200 ? 'ok' : undefined));
    });
    const [slack, hook] = await Promise.all([waiting(200), waiting(204)]);
    const notifier = createNotifier([
      { type: 'slack', url: { env: 'SLACK_URL' }, on: ['succeeded'] },
      { type: 'webhook', name: 'n8n', url: hook.url.href, on: ['succeeded'] },
    ], { env: { SLACK_URL: slack.url.href }, retry: { ...FAST_RETRY, attempts: 1 }, timeoutMs: 1_000 });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: 'slack', ok: true, attempts: 1 }, { target: 'n8n', ok: true, attempts: 1 }]);
  });

  it('tells each target only the outcomes it listed; cancelled runs only where asked for', async () => {
    const hook = await receiver((_request, res) => res.writeHead(204).end());
    const notifier = notifierFor([
      { type: 'webhook', name: 'both', url: hook.url.href, on: ['succeeded', 'failed'] },
      { type: 'webhook', name: 'failures', url: hook.url.href, on: ['failed'] },
      { type: 'webhook', name: 'everything', url: hook.url.href, on: ['succeeded', 'failed', 'cancelled'] },
    ]);
    expect((await notifier.notify(SUCCEEDED)).map((r) => r.target)).toEqual(['both', 'everything']);
    expect((await notifier.notify(FAILED)).map((r) => r.target)).toEqual(['both', 'failures', 'everything']);
    expect((await notifier.notify({ ...FAILED, status: 'cancelled', error: undefined })).map((r) => r.target)).toEqual(['everything']);
    expect(hook.received).toHaveLength(6);
  });

  it('retries a target answering 500 as often as configured, then reports it failed', async () => {
    const hook = await receiver((_request, res) => res.writeHead(500).end('internal error'));
    const notifier = createNotifier([{ type: 'webhook', url: hook.url.href, on: ['succeeded'] }], { env: {}, retry: { ...FAST_RETRY, attempts: 4 } });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: `webhook:${hook.url.host}`, ok: false, attempts: 4, error: 'HTTP 500: internal error' }]);
    expect(hook.received).toHaveLength(4);
  });

  it('gives up on a try that gets no answer in time, and retries it', async () => {
    const silent = await receiver(() => {});
    const notifier = createNotifier([{ type: 'webhook', url: silent.url.href, on: ['succeeded'] }], { env: {}, retry: { ...FAST_RETRY, attempts: 2 }, timeoutMs: 200 });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: `webhook:${silent.url.host}`, ok: false, attempts: 2, error: 'no answer within 200 ms' }]);
    expect(silent.received).toHaveLength(2);
  });

  it('keeps targets of the same display name apart', async () => {
    const hook = await receiver((_request, res) => res.writeHead(204).end());
    const target = { type: 'slack' as const, url: { env: 'SLACK_URL' }, on: ['succeeded' as const] };
    const notifier = notifierFor([target, target, { ...target, name: 'team' }], { SLACK_URL: hook.url.href });
    expect((await notifier.notify(SUCCEEDED)).map((r) => r.target)).toEqual(['slack', 'slack#2', 'team']);
  });

  it('retries a target refusing connections, then reports it failed', async () => {
    const port = await closedPort();
    const notifier = notifierFor([{ type: 'discord', url: { env: 'DISCORD_URL' }, on: ['succeeded'] }], { DISCORD_URL: `http://127.0.0.1:${port}/api/webhooks/1/t` });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: 'discord', ok: false, attempts: 3, error: 'could not reach the service (ECONNREFUSED)' }]);
  });

  it('never puts a webhook URL, token or secret in a result or a log line, even when the service echoes them', async () => {
    // A service that quotes the request back in its error, as some proxies do.
    const echo = await receiver((request, res) => res.writeHead(502).end(`bad gateway for ${request.path} auth=${request.headers.authorization ?? ''} sig=${request.headers['x-slipway-signature'] ?? ''}`));
    const { logger, lines } = capturedLogger();
    const env = { SLACK_URL: new URL(SLACK_TOKEN_PATH, echo.url).href, NTFY_TOKEN: 'tk_n7fyS3cretT0kenValue', HOOK_SECRET: 'h00k-s3cret-value' };
    const notifier = createNotifier([
      { type: 'slack', url: { env: 'SLACK_URL' }, on: ['failed'] },
      { type: 'ntfy', server: echo.url.href, topic: 'runs', token: { env: 'NTFY_TOKEN' }, on: ['failed'] },
      { type: 'webhook', url: new URL('/hook?token=querySECRET', echo.url).href, secret: { env: 'HOOK_SECRET' }, on: ['failed'] },
    ], { env, logger, retry: { ...FAST_RETRY, attempts: 2 } });
    const results = await notifier.notify(FAILED);
    expect(results.map((r) => [r.target, r.ok, r.attempts])).toEqual([['slack', false, 2], ['ntfy:runs', false, 2], [`webhook:${echo.url.host}`, false, 2]]);
    expect(lines).toHaveLength(3);
    const everything = JSON.stringify(results) + lines.join('');
    for (const secret of ['SECRET', 'tk_n7fyS3cretT0kenValue', 'h00k-s3cret-value', 'querySECRET']) expect(everything).not.toContain(secret);
    expect(results[0]!.error).toBe('HTTP 502: bad gateway for [redacted] auth= sig=');
    // Targets run in parallel, so their lines come in the order they gave up.
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.target === 'slack');
    expect(line).toMatchObject({ level: 40, runId: FAILED.runId, target: 'slack', attempts: 2, msg: 'notification not delivered' });
  });

  it('stops retrying when its signal aborts', async () => {
    const hook = await receiver((_request, res) => res.writeHead(503).end());
    const controller = new AbortController();
    const notifier = createNotifier([{ type: 'webhook', url: hook.url.href, on: ['succeeded'] }], { env: {}, retry: { attempts: 5, baseDelayMs: 5_000, maxDelayMs: 5_000 } });
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const [result] = await notifier.notify(SUCCEEDED, controller.signal);
    expect(result).toMatchObject({ ok: false, attempts: 1, error: 'HTTP 503; then cancelled' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await notifier.notify(SUCCEEDED, AbortSignal.abort())).toEqual([{ target: `webhook:${hook.url.host}`, ok: false, attempts: 0, error: 'cancelled' }]);
    expect(hook.received).toHaveLength(1);
  });

  it('reads secrets when it is built: a missing one is a ConfigError naming the field, not the value', () => {
    expect(() => createNotifier([{ type: 'slack', url: { env: 'SLACK_URL' }, on: ['failed'] }], { env: {} })).toThrow(ConfigError);
    expect(() => createNotifier([{ type: 'slack', url: { env: 'SLACK_URL' }, on: ['failed'] }], { env: {} })).toThrow('notify[0].url: the environment variable SLACK_URL is not set');
    let error: unknown;
    try {
      createNotifier([{ type: 'ntfy', server: 'https://ntfy.sh', topic: 'a', on: ['failed'] }, { type: 'discord', url: { env: 'DISCORD_URL' }, on: ['failed'] }], { env: { DISCORD_URL: 'not-a-url-but-a-s3cret' } });
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('notify[1].url: the secret is not an http:// or https:// URL');
  });

  it('sends nothing and returns no results without targets', async () => {
    expect(await createNotifier([], { env: {} }).notify(SUCCEEDED)).toEqual([]);
  });
});

describe('subscribedWebhooks', () => {
  const SECRET = 'n8n-trigger-secret-4f1c9a';

  it('tells the subscriptions stored when a run ends, each only the events it asked for, signed with its own secret', async () => {
    const store = new SqliteWebhookStore({ db: openDatabase(stateFile()) });
    const trigger = await receiver(verifying(SECRET));
    const plain = await receiver((_request, res) => res.writeHead(204).end());
    const notifier = subscribedWebhooks(store, { env: {}, retry: FAST_RETRY, timeoutMs: 2_000 });
    // Nothing subscribed yet: nobody is told.
    expect(await notifier.notify(SUCCEEDED)).toEqual([]);

    // Subscribed after the notifier was built: read when the run ends.
    await store.add({ url: new URL('/webhook/slipway', trigger.url).href, events: ['run.failed'], name: 'n8n', secret: SECRET });
    const everything = await store.add({ url: plain.url.href, events: ['run.succeeded', 'run.failed'] });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: `webhook:${plain.url.host}`, ok: true, attempts: 1 }]);
    expect(trigger.received).toHaveLength(0);

    expect(await notifier.notify(FAILED)).toEqual([{ target: 'webhook:n8n', ok: true, attempts: 1 }, { target: `webhook:${plain.url.host}`, ok: true, attempts: 1 }]);
    // What a `notify:` webhook gets: the body, the event header, and a signature the receiver checked (204).
    const delivered = trigger.received[0]!;
    expect(delivered.path).toBe('/webhook/slipway');
    expect(delivered.headers['x-slipway-event']).toBe('run.failed');
    expect(JSON.parse(delivered.body)).toEqual({ type: 'run.failed', ...FAILED });
    expect(plain.received.map((r) => r.headers['x-slipway-signature'])).toEqual([undefined, undefined]);

    // Removed: told no more.
    await store.remove(everything.id);
    expect(await notifier.notify(FAILED)).toEqual([{ target: 'webhook:n8n', ok: true, attempts: 1 }]);
    expect(plain.received).toHaveLength(2);
  });

  it('keeps two unnamed subscriptions to one host apart, and blanks a secret a receiver echoes', async () => {
    const store = new SqliteWebhookStore({ db: openDatabase(stateFile()) });
    // A careless receiver that echoes the request's path and, when signed, the secret it expected.
    const echo = await receiver((request, res) => res.writeHead(400).end(`refused ${request.path}${request.headers['x-slipway-signature'] ? ` signed with ${SECRET}` : ''}`));
    await store.add({ url: new URL('/a?token=query-token-123', echo.url).href, events: ['run.succeeded'], secret: SECRET });
    await store.add({ url: new URL('/b', echo.url).href, events: ['run.succeeded'] });
    const { logger, lines } = capturedLogger();
    const results = await subscribedWebhooks(store, { env: {}, logger, retry: FAST_RETRY, timeoutMs: 2_000 }).notify(SUCCEEDED);
    expect(results.map((r) => [r.target, r.ok, r.attempts])).toEqual([[`webhook:${echo.url.host}`, false, 1], [`webhook:${echo.url.host}#2`, false, 1]]);
    expect(results[0]!.error).toBe('HTTP 400: refused [redacted] signed with [redacted]');
    expect(results[1]!.error).toBe('HTTP 400: refused /b');
    const logged = lines.join('\n');
    expect(lines).toHaveLength(2);
    expect(logged).not.toContain('query-token-123');
    expect(logged).not.toContain(SECRET);
  });
});
