import { afterEach, describe, expect, it } from 'vitest';
import { FAILED, notifierFor, startReceiver, SUCCEEDED, verifying, type Receiver } from './receiver.test-support.ts';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const SECRET = 'whsec-5b1f0c9e2d7a4c33b8e6';

describe('generic webhook', () => {
  it('posts the outcome with its type, signed so that the receiver can verify it', async () => {
    const receiver = await startReceiver(verifying(SECRET));
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'webhook', url: new URL('/hooks/slipway', receiver.url).href, secret: { env: 'HOOK_SECRET' }, on: ['succeeded', 'failed'] }], { HOOK_SECRET: SECRET });
    expect(await notifier.notify(FAILED)).toEqual([{ target: `webhook:${receiver.url.host}`, ok: true, attempts: 1 }]);
    const request = receiver.received[0]!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-slipway-event']).toBe('run.failed');
    expect(JSON.parse(request.body)).toEqual({ type: 'run.failed', ...FAILED });
    expect(request.body.startsWith('{"type":"run.failed","runId":')).toBe(true);
  });

  it('is refused by the receiver when signed with another secret, and that 403 is not retried', async () => {
    const receiver = await startReceiver(verifying(SECRET));
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'webhook', name: 'n8n', url: receiver.url.href, secret: { env: 'HOOK_SECRET' }, on: ['succeeded'] }], { HOOK_SECRET: 'another-secret' });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: 'n8n', ok: false, attempts: 1, error: 'HTTP 403: bad signature' }]);
  });

  it('sends no signature headers without a secret', async () => {
    const receiver = await startReceiver((_request, res) => res.writeHead(200).end());
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'webhook', url: receiver.url.href, on: ['succeeded'] }]);
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: `webhook:${receiver.url.host}`, ok: true, attempts: 1 }]);
    expect(receiver.received[0]!.headers['x-slipway-signature']).toBeUndefined();
    expect(JSON.parse(receiver.received[0]!.body)).toEqual({ type: 'run.succeeded', ...SUCCEEDED });
  });
});
