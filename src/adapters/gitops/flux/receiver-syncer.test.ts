import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '@octokit/webhooks-methods';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, ConfigError, ExternalServiceError } from '../../../domain/errors.ts';
import type { SyncRequest } from '../../../ports/gitops-syncer.ts';
import { startFakeFluxReceiver, type FakeFluxReceiver, type FakeReceiverOptions } from '../../../../test/support/flux-receiver.ts';
import { receiverWebhookPath } from './receiver-path.ts';
import { FluxReceiverSyncer, type FluxReceiverSyncerOptions } from './receiver-syncer.ts';

const TOKEN = 'c0ffee-receiver-token';
const RECEIVER = { name: 'homelab-git-receiver', namespace: 'flux-system' };
const REVISION = '3f786850e387550fdab836ed7e6dc881de23001b';
const REQUEST: SyncRequest = { app: 'pomodoro', revision: REVISION, branch: 'main', repoUrl: 'git@git.home.lan:ops/homelab.git' };
const FAST = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let receiver: FakeFluxReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(options: Partial<FakeReceiverOptions> = {}): Promise<FakeFluxReceiver> {
  receiver = await startFakeFluxReceiver({ token: TOKEN, ...RECEIVER, type: 'github', ...options });
  return receiver;
}

function syncer(options: Partial<FluxReceiverSyncerOptions> & { url: string }): FluxReceiverSyncer {
  return new FluxReceiverSyncer({ type: 'github', token: TOKEN, retry: FAST, now: () => new Date('2026-03-01T12:00:00.123Z'), ...options });
}

async function failure(promise: Promise<unknown>): Promise<ExternalServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExternalServiceError);
  return error as ExternalServiceError;
}

describe('receiverWebhookPath', () => {
  it('is /hook/ + hex sha256(token + name + namespace), as the Flux docs state', () => {
    // Derived outside Slipway: printf '%s' 'c0ffee-receiver-tokenhomelab-git-receiverflux-system' | sha256sum
    expect(receiverWebhookPath(TOKEN, RECEIVER.name, RECEIVER.namespace)).toBe('/hook/202c19706adeae41ecedd5a8f8361dbe701fd360f34d295ea2ee12896562eefb');
    expect(receiverWebhookPath('token', 'homelab-git-receiver', 'flux-system')).toBe('/hook/a1dcfdaa788b3da27aecf996ed2c9586b26af86a64bd9aa0271abaddc6993e51');
  });

  it('equals the path the receiver serves', async () => {
    const fake = await start();
    expect(receiverWebhookPath(TOKEN, RECEIVER.name, RECEIVER.namespace)).toBe(fake.webhookPath);
  });
});

describe('FluxReceiverSyncer', () => {
  it('github: sends a push event the receiver verifies, signed over the exact body', async () => {
    const fake = await start();
    const result = await syncer({ url: fake.hookUrl, deliveryId: () => 'delivery-1' }).sync(REQUEST);

    expect(result).toEqual({ engine: 'flux', method: 'receiver:github', status: 200, detail: expect.stringContaining(`main@${REVISION.slice(0, 12)}`) });
    expect(fake.accepted).toHaveLength(1);
    const hook = fake.accepted[0]!;
    expect(hook.method).toBe('POST');
    expect(hook.event).toBe('push');
    expect(hook.headers['x-github-delivery']).toBe('delivery-1');
    expect(hook.headers['content-type']).toBe('application/json');
    // Checked again here, independently of the fake: octokit for SHA-256, node:crypto for the legacy SHA-1 header.
    expect(await verify(TOKEN, hook.body, String(hook.headers['x-hub-signature-256']))).toBe(true);
    expect(hook.headers['x-hub-signature']).toBe(`sha1=${createHmac('sha1', TOKEN).update(hook.body).digest('hex')}`);

    const payload = JSON.parse(hook.body);
    expect(Object.keys(payload)).toEqual(['ref', 'before', 'after', 'repository', 'pusher', 'sender', 'created', 'deleted', 'forced', 'base_ref', 'compare', 'commits', 'head_commit']);
    expect(payload).toMatchObject({
      ref: 'refs/heads/main',
      after: REVISION,
      repository: { full_name: 'ops/homelab', name: 'homelab', html_url: 'https://git.home.lan/ops/homelab', clone_url: 'https://git.home.lan/ops/homelab.git', default_branch: 'main' },
      head_commit: { id: REVISION, timestamp: '2026-03-01T12:00:00Z' },
    });
  });

  it('github: the body is the same bytes for the same push and clock', async () => {
    const fake = await start();
    const flux = syncer({ url: fake.hookUrl });
    await flux.sync(REQUEST);
    await flux.sync(REQUEST);
    expect(fake.accepted[0]!.body).toBe(fake.accepted[1]!.body);
    expect(fake.accepted[0]!.headers['x-github-delivery']).not.toBe(fake.accepted[1]!.headers['x-github-delivery']);
  });

  it('generic-hmac: signs the JSON body in X-Signature as sha256=<hex>', async () => {
    const fake = await start({ type: 'generic-hmac' });
    const result = await syncer({ url: fake.hookUrl, type: 'generic-hmac' }).sync(REQUEST);
    expect(result).toMatchObject({ engine: 'flux', method: 'receiver:generic-hmac', status: 200 });
    const hook = fake.accepted[0]!;
    expect(await verify(TOKEN, hook.body, String(hook.headers['x-signature']))).toBe(true);
    expect(JSON.parse(hook.body)).toEqual({ source: 'slipway', app: 'pomodoro', branch: 'main', revision: REVISION, repository: 'https://git.home.lan/ops/homelab' });
  });

  it('generic: a plain POST, no token needed beyond the path', async () => {
    const fake = await start({ type: 'generic' });
    const result = await new FluxReceiverSyncer({ url: fake.hookUrl, type: 'generic' }).sync(REQUEST);
    expect(result).toMatchObject({ method: 'receiver:generic', status: 200 });
    expect(fake.accepted[0]!.headers['x-signature']).toBeUndefined();
  });

  it('derives the hook path from the token when given the base URL and the Receiver', async () => {
    const fake = await start();
    await syncer({ url: `${fake.url}/`, receiver: RECEIVER }).sync(REQUEST);
    expect(fake.accepted).toHaveLength(1);
  });

  it('a wrong token: the receiver answers 400, the error says so and never shows the token', async () => {
    const fake = await start();
    const wrongToken = 'not-the-receiver-token';
    const error = await failure(syncer({ url: fake.hookUrl, token: wrongToken }).sync(REQUEST));
    expect(error.message).toContain('answered 400');
    expect(error.hint).toContain("token does not match the Receiver's secret");
    expect(`${error.message} ${error.hint}`).not.toContain(wrongToken);
    expect(fake.refused).toEqual([{ status: 400, reason: expect.stringContaining('signature') }]);
    expect(fake.accepted).toHaveLength(0);
  });

  it('a wrong token for generic-hmac is refused the same way', async () => {
    const fake = await start({ type: 'generic-hmac' });
    const error = await failure(syncer({ url: fake.hookUrl, type: 'generic-hmac', token: 'other-token' }).sync(REQUEST));
    expect(error.hint).toContain("token does not match the Receiver's secret");
  });

  it('a 401 from a proxy in front says the token does not match', async () => {
    const fake = await start();
    fake.failNext(401);
    const error = await failure(syncer({ url: fake.hookUrl }).sync(REQUEST));
    expect(error.message).toContain('answered 401');
    expect(error.hint).toContain("token does not match the Receiver's secret");
  });

  it('a push event the Receiver does not list is refused with a hint about .spec.events', async () => {
    const fake = await start({ events: ['ping'] });
    const error = await failure(syncer({ url: fake.hookUrl }).sync(REQUEST));
    expect(error.hint).toContain('.spec.events');
    expect(fake.refused[0]!.reason).toContain('not authorised');
  });

  it('a wrong path: 404 at once, with the kubectl command that shows the right one, and the digest cut short', async () => {
    const fake = await start();
    const wrongPath = receiverWebhookPath(TOKEN, 'other-receiver', RECEIVER.namespace);
    const error = await failure(syncer({ url: `${fake.url}${wrongPath}`, receiver: undefined }).sync(REQUEST));
    expect(error.message).toContain('answered 404');
    expect(error.hint).toContain("get receiver <name> -o jsonpath='{.status.webhookPath}'");
    expect(error.message).not.toContain(wrongPath.slice(6));
    expect(error.message).toContain(`/hook/${wrongPath.slice(6, 14)}…`);
    expect(fake.refused).toHaveLength(1);
  });

  it('retries a 503 and succeeds, telling the logger without secrets', async () => {
    const fake = await start();
    fake.failNext(503);
    const warnings: object[] = [];
    const result = await syncer({ url: fake.hookUrl, logger: { warn: (o) => warnings.push(o) } }).sync(REQUEST);
    expect(result.status).toBe(200);
    expect(fake.refused.map((r) => r.status)).toEqual([503]);
    expect(fake.accepted).toHaveLength(1);
    expect(warnings).toEqual([expect.objectContaining({ engine: 'flux', attempt: 1, status: 503 })]);
    expect(JSON.stringify(warnings)).not.toContain(fake.webhookPath.slice(6));
  });

  it('gives up after the attempts when the Receiver stays suspended', async () => {
    const fake = await start();
    fake.setState({ suspended: true });
    const error = await failure(syncer({ url: fake.hookUrl }).sync(REQUEST));
    expect(error.message).toContain('answered 503 after 3 attempts');
    expect(error.hint).toContain('suspended or not Ready');
    expect(fake.refused).toHaveLength(3);
  });

  it('explains a 500 as a listed resource that could not be annotated', async () => {
    const fake = await start();
    fake.setState({ resourcesMissing: true });
    const error = await failure(syncer({ url: fake.hookUrl }).sync(REQUEST));
    expect(error.hint).toContain('.spec.resources');
  });

  it('connection refused: retried, then an error asking whether the receiver is reachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}${receiverWebhookPath(TOKEN, RECEIVER.name, RECEIVER.namespace)}`;
    const error = await failure(syncer({ url }).sync(REQUEST));
    expect(error.service).toBe('flux-receiver');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('after 3 attempts');
    expect(error.hint).toMatch(/^Is the receiver reachable/);
  });

  it('stops when the run is cancelled', async () => {
    const fake = await start();
    fake.setState({ ready: false });
    const controller = new AbortController();
    const pending = syncer({ url: fake.hookUrl, retry: { attempts: 5, baseDelayMs: 2_000, maxDelayMs: 2_000 } }).sync(REQUEST, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });

  it('refuses configurations that cannot work', () => {
    expect(() => new FluxReceiverSyncer({ url: 'https://flux.example.com/hook/abc', type: 'github' })).toThrow(ConfigError);
    expect(() => new FluxReceiverSyncer({ url: 'https://flux.example.com/hook/abc?x=1', type: 'generic' })).toThrow(ConfigError);
    expect(() => new FluxReceiverSyncer({ url: 'ftp://flux.example.com/hook/abc', type: 'generic' })).toThrow(ConfigError);
    expect(() => new FluxReceiverSyncer({ url: 'https://flux.example.com', type: 'generic', receiver: RECEIVER })).toThrow(ConfigError);
    expect(() => new FluxReceiverSyncer({ url: 'https://flux.example.com/hook/abc', type: 'gitlab' as 'github', token: TOKEN })).toThrow(ConfigError);
  });
});
