import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServer } from '../../../test/support/kube-api-server.ts';
import { APP_PODS, putAppAfterTwoRollouts } from '../../../test/support/kube-app-pods.ts';
import { ConfigError, ConflictError, NotFoundError } from '../../domain/errors.ts';
import { KubeClient } from '../watcher/index.ts';
import { KubePodLogs } from './pod-logs.ts';

const { namespace: NS, app: APP, current: [POD_A, POD_B] } = APP_PODS;

async function linesOf(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('KubePodLogs against a Kubernetes API', () => {
  let kube: KubeApiServer;
  let logs: KubePodLogs;

  beforeEach(async () => {
    kube = await startKubeApiServer();
    logs = new KubePodLogs({ access: { apiServer: kube.url, token: kube.token, ca: kube.ca! }, namespaceFor: () => NS });
  });
  afterEach(async () => {
    await kube.stop();
  });

  it('prints every pod of the current ReplicaSet, prefixed with its name, in the order the lines were written', async () => {
    putAppAfterTwoRollouts(kube);
    const lines = await linesOf(await logs.open(APP, { tail: 200, follow: false }));
    expect(lines).toEqual([
      `[${POD_A}] listening on http://0.0.0.0:8080`,
      `[${POD_B}] listening on http://0.0.0.0:8080`,
      `[${POD_A}] GET / 200`,
      `[${POD_B}] GET /style.css 200`,
      `[${POD_A}] GET /app.js 200`,
    ]);
    const logRequests = kube.requests.filter((r) => r.path.includes('/log?'));
    expect(logRequests.map((r) => new URL(r.path, 'http://x').pathname).sort()).toEqual([
      `/api/v1/namespaces/${NS}/pods/${POD_B}/log`,
      `/api/v1/namespaces/${NS}/pods/${POD_A}/log`,
    ].sort());
    for (const request of logRequests) {
      expect(Object.fromEntries(new URL(request.path, 'http://x').searchParams)).toEqual({ container: APP, tailLines: '200', follow: 'false', timestamps: 'true' });
    }
  });

  it('passes since and tail to the API server as sinceSeconds and tailLines', async () => {
    putAppAfterTwoRollouts(kube);
    const now = new Date();
    logs = new KubePodLogs({ access: { apiServer: kube.url, token: kube.token, ca: kube.ca! }, namespaceFor: () => NS, now: () => now });
    const lines = await linesOf(await logs.open(APP, { tail: 1, follow: false, since: new Date(now.getTime() - 10 * 60_000) }));
    expect(lines).toEqual([`[${POD_B}] GET /style.css 200`, `[${POD_A}] GET /app.js 200`]);
    const queries = kube.requests.filter((r) => r.path.includes('/log?')).map((r) => new URL(r.path, 'http://x').searchParams);
    expect(queries.map((q) => [q.get('tailLines'), q.get('sinceSeconds')])).toEqual([['1', '600'], ['1', '600']]);
  });

  it('follows both pods, merging new lines as they arrive, until the pods go away', async () => {
    putAppAfterTwoRollouts(kube);
    const seen: string[] = [];
    const following = (async () => {
      for await (const line of await logs.open(APP, { tail: 0, follow: true })) {
        seen.push(line);
        if (seen.length === 2) {
          kube.endLog(NS, POD_A);
          kube.endLog(NS, POD_B);
        }
      }
    })();
    for (let i = 0; i < 100 && kube.requests.filter((r) => r.path.includes('follow=true')).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    kube.appendLog(NS, POD_B, 'GET /b 200');
    await new Promise((r) => setTimeout(r, 50));
    kube.appendLog(NS, POD_A, 'GET /a 200');
    await following;
    expect(seen).toEqual([`[${POD_B}] GET /b 200`, `[${POD_A}] GET /a 200`]);
  });

  it('ends a followed log quietly when the reader leaves', async () => {
    putAppAfterTwoRollouts(kube);
    const leaving = new AbortController();
    const lines = await logs.open(APP, { tail: 1, follow: true, signal: leaving.signal });
    setTimeout(() => leaving.abort(), 200);
    // Each pod's last line, in whichever order the two streams delivered them, and then the end.
    expect((await linesOf(lines)).sort()).toEqual([`[${POD_B}] GET /style.css 200`, `[${POD_A}] GET /app.js 200`].sort());
  });

  it.each([['pods/log'], ['pods'], ['replicasets'], ['deployments']])('names every permission it needs, with a Role to grant them, when %s is forbidden', async (forbidden) => {
    await kube.stop();
    kube = await startKubeApiServer({ forbidden: [forbidden] });
    logs = new KubePodLogs({ access: { apiServer: kube.url, token: kube.token, ca: kube.ca! }, namespaceFor: () => NS });
    putAppAfterTwoRollouts(kube);
    const error = await failureOf(logs.open(APP, { tail: 10, follow: false }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`cannot ${forbidden === 'deployments' ? 'get' : forbidden === 'pods/log' ? 'get' : 'list'} resource "${forbidden}"`);
    expect(error.message).toContain(`get deployments, list replicasets, list pods, get pods/log in namespace ${NS}`);
    const hint = (error as ConfigError).hint!;
    expect(hint).toContain('kind: Role\n');
    expect(hint).toContain('resources: [pods/log], verbs: [get]');
    expect(hint).toContain(`metadata: { name: slipway-logs, namespace: ${NS} }`);
    expect(hint).toContain('subjects: [{ kind: ServiceAccount, name: slipway, namespace: slipway }]');
  });

  it('says when the current ReplicaSet has no pods, and that the app is scaled to 0 when it is', async () => {
    putAppAfterTwoRollouts(kube);
    kube.remove('v1', 'Pod', NS, POD_A);
    kube.remove('v1', 'Pod', NS, POD_B);
    const notReady = await failureOf(logs.open(APP, { tail: 10, follow: false }));
    expect(notReady).toBeInstanceOf(ConflictError);
    expect(notReady.message).toBe(`${APP} has no pods in namespace ${NS} (its current ReplicaSet is pomodoro-6b7f9c8d5f), so there is no output to show`);
    expect((notReady as ConflictError).hint).toContain('not be created or scheduled yet');
    kube.update('apps/v1', 'Deployment', NS, APP, (d) => ((d.spec as { replicas: number }).replicas = 0));
    expect((await failureOf(logs.open(APP, { tail: 10, follow: false })) as ConflictError).hint).toContain('scaled to 0 replicas');
  });

  it('says when the app has no Deployment in its namespace', async () => {
    const error = await failureOf(logs.open(APP, { tail: 10, follow: false }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(`${APP} has no Deployment in namespace ${NS} on the cluster`);
  });
});

describe('KubeClient.stream', () => {
  it('keeps a followed log open through a quiet spell longer than its timeout, which covers the answer head only', async () => {
    const kube = await startKubeApiServer({ tls: false });
    try {
      putAppAfterTwoRollouts(kube);
      const client = new KubeClient({ apiServer: kube.url, token: kube.token }, { timeoutMs: 200 });
      const body = await client.stream(`/api/v1/namespaces/${NS}/pods/${POD_A}/log?container=${APP}&tailLines=0&follow=true`);
      const chunks: string[] = [];
      body.on('data', (chunk: Buffer) => chunks.push(String(chunk)));
      const ended = new Promise((resolve, reject) => body.once('end', resolve).once('error', reject));
      setTimeout(() => kube.appendLog(NS, POD_A, 'after a quiet spell'), 700);
      setTimeout(() => kube.endLog(NS, POD_A), 800);
      await ended;
      expect(chunks.join('')).toBe('after a quiet spell\n');
      const missing = await failureOf(client.stream(`/api/v1/namespaces/${NS}/pods/gone/log`));
      expect(missing.message).toBe('kubernetes: pods "gone" not found');
    } finally {
      await kube.stop();
    }
  });
});
