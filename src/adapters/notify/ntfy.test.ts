import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FAILED, notifierFor, startReceiver, SUCCEEDED, type Receiver, type Received } from './receiver.test-support.ts';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const TOKEN = 'tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2';

/**
 * Publishing as an ntfy server answers it: POST/PUT /<topic> with the message as the body and
 * Title, Tags, Priority and Click headers; 200 with the stored message as JSON. This topic needs
 * the access token: ntfy answers 401 with its JSON error otherwise.
 */
function ntfy(request: Received, res: ServerResponse) {
  const json = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
  const topic = /^\/([-_A-Za-z0-9]{1,64})$/.exec(request.path)?.[1];
  if (!topic || (request.method !== 'POST' && request.method !== 'PUT')) return json(404, { code: 40401, http: 404, error: 'page not found' });
  if (request.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { code: 40101, http: 401, error: 'unauthorized', link: 'https://ntfy.sh/docs/publish/#authentication' });
  const priority = Number(request.headers.priority ?? 3);
  if (!Number.isInteger(priority) || priority < 1 || priority > 5) return json(400, { code: 40007, http: 400, error: 'invalid request: priority invalid' });
  const click = request.headers.click as string | undefined;
  if (click !== undefined && !URL.canParse(click)) return json(400, { code: 40013, http: 400, error: 'invalid request: click URL invalid' });
  json(200, {
    id: randomBytes(6).toString('base64url'),
    time: Math.floor(Date.now() / 1000),
    expires: Math.floor(Date.now() / 1000) + 43_200,
    event: 'message',
    topic,
    title: request.headers.title,
    message: request.body,
    priority,
    tags: String(request.headers.tags ?? '').split(',').filter(Boolean),
    ...(click ? { click } : {}),
  });
}

describe('ntfy topic', () => {
  it('publishes the outcome with Title, Tags, Priority and Click, using the access token', async () => {
    const receiver = await startReceiver(ntfy);
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'ntfy', server: receiver.url.href.replace(/\/$/, ''), topic: 'slipway-runs', token: { env: 'NTFY_TOKEN' }, on: ['succeeded'] }], { NTFY_TOKEN: TOKEN });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: 'ntfy:slipway-runs', ok: true, attempts: 1 }]);
    const request = receiver.received[0]!;
    expect(request.path).toBe('/slipway-runs');
    expect(request.headers).toMatchObject({ title: 'pomodoro-timer is live', tags: 'white_check_mark,slipway', priority: '3', click: 'http://127.0.0.1:40123/' });
    expect(request.body).toContain('App: pomodoro-timer');
    expect(request.body).toContain('Duration: 1 min 23 s');
  });

  it('sends a failure at high priority with its stage, reason and hint, and no Click without a URL', async () => {
    const receiver = await startReceiver(ntfy);
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'ntfy', server: receiver.url.href, topic: 'slipway-runs', token: { env: 'NTFY_TOKEN' }, on: ['failed'] }], { NTFY_TOKEN: TOKEN });
    expect(await notifier.notify(FAILED)).toEqual([{ target: 'ntfy:slipway-runs', ok: true, attempts: 1 }]);
    const request = receiver.received[0]!;
    expect(request.headers).toMatchObject({ title: 'band-contact: create failed at image:build', tags: 'rotating_light,slipway', priority: '4' });
    expect(request.headers.click).toBeUndefined();
    expect(request.body).toContain('Stage: image:build\nReason: the base image <node:24> could not be pulled & cached\nHint: Check registry.host');
  });

  it('reports a refused token (401) after one try, without the token', async () => {
    const receiver = await startReceiver(ntfy);
    receivers.push(receiver);
    const notifier = notifierFor([{ type: 'ntfy', server: receiver.url.href, topic: 'slipway-runs', token: { env: 'NTFY_TOKEN' }, on: ['succeeded'] }], { NTFY_TOKEN: 'tk_wrongwrongwrongwrongwrongwrong' });
    const [result] = await notifier.notify(SUCCEEDED);
    expect(result).toMatchObject({ target: 'ntfy:slipway-runs', ok: false, attempts: 1 });
    expect(result!.error).toMatch(/^HTTP 401: .*unauthorized/);
    expect(JSON.stringify(result)).not.toContain('tk_wrong');
  });
});
