import { execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempHome } from '../support/cli.ts';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-api-server.ts';
import { APP_PODS, putAppAfterTwoRollouts } from '../support/kube-app-pods.ts';
import { readEvents, startServer, type RunningServer } from '../support/serve.ts';

type Home = ReturnType<typeof tempHome>;

/** `slipway logs … --follow` running: what it printed so far, a wait for a line, and its exit after SIGTERM. */
function follow(args: string[], opts: Home & { env?: Record<string, string> }) {
  const child: ChildProcess = spawnCli(['logs', ...args, '--follow'], opts);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = once(child, 'exit');
  return {
    async waitFor(text: string) {
      for (let i = 0; i < 200 && !stdout.includes(text); i++) await delay(50);
      expect(stdout, stderr).toContain(text);
    },
    async stop() {
      child.kill('SIGTERM');
      const [code] = await exited;
      return { code: code as number | null, stdout, stderr };
    },
    exited: async () => {
      const [code] = await exited;
      return { code: code as number | null, stdout, stderr };
    },
  };
}

describe('slipway logs of an app run as a local process', () => {
  const opts = tempHome('slipway-logs-');
  let url: string;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    mkdirSync(opts.cwd, { recursive: true });
    writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
    const created = await runCli(['create', 'a pomodoro timer', '--template', 'timer', '--name', 'clock', '--json'], opts);
    expect(created.code, created.stderr).toBe(0);
    url = JSON.parse(created.stdout).url;
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await runCli(['delete', 'clock'], opts);
  }, 60_000);

  it('prints its recent output, the start-up line first, and exits', async () => {
    expect((await fetch(new URL('/app.js', url))).status).toBe(200);
    const logs = await runCli(['logs', 'clock'], opts);
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(0);
    const lines = logs.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`listening on ${url.replace(/\/$/, '')}`);
    expect(lines).toContain('GET /app.js 200');
    // Health checks made while the app was started are not logged; only requests people make.
    expect(lines.some((line) => line.includes('/healthz'))).toBe(false);
    expect((await runCli(['logs', 'clock', '--tail', '1'], opts)).stdout).toBe(`${lines.at(-1)}\n`);
  });

  it('follows new lines as the app writes them, until SIGTERM, and exits 0', async () => {
    const following = follow(['clock', '--tail', '1'], opts);
    await following.waitFor('\n');
    expect((await fetch(new URL('/from-follow?x=1', url))).status).toBe(404);
    await following.waitFor('GET /from-follow 404');
    const { code, stderr } = await following.stop();
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('starts at a time by the stamps in its log file, printing the lines without them', async () => {
    const all = await runCli(['logs', 'clock'], opts);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    const file = readFileSync(join(opts.home, 'logs', 'clock.log'), 'utf8');
    expect(file).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z listening on http:/);
    const hour = await runCli(['logs', 'clock', '--since', '1h'], opts);
    expect(hour.code, hour.stderr).toBe(0);
    expect(hour.stdout).toBe(all.stdout);
    const later = await runCli(['logs', 'clock', '--since', new Date(Date.now() + 5000).toISOString()], opts);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toBe('');
    // A request made after a time shows from that time on, and nothing before it.
    await delay(20);
    const mark = new Date().toISOString();
    await delay(20);
    expect((await fetch(new URL('/after-mark', url))).status).toBe(404);
    const recent = await runCli(['logs', 'clock', '--since', mark], opts);
    expect(recent.stdout).toBe('GET /after-mark 404\n');
  });

  it('refuses a start time that is not one, a tail that is not a number and an app it does not know', async () => {
    const bad = await runCli(['logs', 'clock', '--since', '10'], opts);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --since "10" is not a time to start the log from');
    expect(bad.stderr).toContain('e.g. --since 10m or --since 2026-12-06T07:00:00Z');
    const unknown = await runCli(['logs', 'no-such-app'], opts);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no app named 'no-such-app'");
    expect((await runCli(['logs', 'clock', '--tail', 'lots'], opts)).code).toBe(2);
  });

  it('reads the same lines through a server, and follows them there too', async () => {
    server = await startServer(opts);
    const here = await runCli(['logs', 'clock', '--tail', '3'], opts);
    const there = await runCli(['--server', server.url, 'logs', 'clock', '--tail', '3'], opts);
    expect(there.stderr).toBe('');
    expect(there.code).toBe(0);
    expect(there.stdout).toBe(here.stdout);
    const following = follow(['clock', '--tail', '1'], { ...opts, env: { SLIPWAY_SERVER: server.url } });
    await following.waitFor('\n');
    expect((await fetch(new URL('/?from=server', url))).status).toBe(200);
    await following.waitFor('GET / 200');
    expect((await following.stop()).code).toBe(0);
    const since = await runCli(['--server', server.url, 'logs', 'clock', '--since', '10m', '--tail', '3'], opts);
    expect(since.code, since.stderr).toBe(0);
    expect(since.stdout).toBe((await runCli(['logs', 'clock', '--tail', '3'], opts)).stdout);

    // The route itself: without follow the stream ends after the last lines; a bad since is a 400 saying how to write one.
    const events = await readEvents(`${server.url}/v1/apps/clock/logs?tail=2&follow=false`);
    expect(events.map((e) => e.event)).toEqual(['log', 'log']);
    expect(events.map((e) => JSON.parse(e.data).line)).toEqual(here.stdout.trimEnd().split('\n').concat('GET / 200').slice(-2));
    const bad = await fetch(`${server.url}/v1/apps/clock/logs?since=soon`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(await bad.json()).toMatchObject({ detail: expect.stringContaining('since="soon" is not a time'), hint: expect.stringContaining('since=10m') });
  });

  it('stops following, with exit 0, when the app is deleted', async () => {
    await server?.stop();
    server = undefined;
    const following = follow(['clock', '--tail', '1'], opts);
    await following.waitFor('\n');
    expect((await runCli(['delete', 'clock'], opts)).code).toBe(0);
    const { code, stderr } = await following.exited();
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

const podman = (() => {
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!podman) console.warn('podman is not installed: the slipway logs test of a podman container is skipped');

describe.skipIf(!podman)('slipway logs of an app run by podman', () => {
  it('prints the container output, from a time, and follows it', async () => {
    const opts = tempHome('slipway-logs-podman-');
    mkdirSync(opts.cwd, { recursive: true });
    writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: podman\n');
    const created = await runCli(['create', 'a pomodoro timer', '--template', 'timer', '--name', 'boxed', '--json'], opts);
    expect(created.code, created.stderr).toBe(0);
    const { url } = JSON.parse(created.stdout);
    try {
      expect((await fetch(new URL('/app.js', url))).status).toBe(200);
      const logs = await runCli(['logs', 'boxed'], opts);
      expect(logs.code, logs.stderr).toBe(0);
      // Inside the container the app listens on its own port (8080), whatever port podman publishes.
      expect(logs.stdout).toMatch(/^listening on http:\/\/0\.0\.0\.0:8080\n/);
      expect(logs.stdout).toContain('GET /app.js 200\n');
      // podman keeps when each line was written: an hour back has them all, a time after the last has none.
      expect((await runCli(['logs', 'boxed', '--since', '1h'], opts)).stdout).toBe(logs.stdout);
      const later = await runCli(['logs', 'boxed', '--since', new Date(Date.now() + 5000).toISOString()], opts);
      expect(later.code, later.stderr).toBe(0);
      expect(later.stdout).toBe('');

      const following = follow(['boxed', '--tail', '1'], opts);
      await following.waitFor('GET /app.js 200');
      expect((await fetch(new URL('/from-follow', url))).status).toBe(404);
      await following.waitFor('GET /from-follow 404');
      expect((await following.stop()).code).toBe(0);
    } finally {
      expect((await runCli(['delete', 'boxed'], opts)).code).toBe(0);
    }
  }, 240_000);
});

describe('slipway logs of an app on the cluster, through the Kubernetes API', () => {
  const { namespace, app, current: [podA, podB] } = APP_PODS;
  let kube: KubeApiServer;
  let forbidden: KubeApiServer;

  /** A home whose slipway.yaml reads the cluster through `api`, holding a cluster app's record. */
  async function clusterHome(api: KubeApiServer): Promise<Home> {
    const opts = tempHome('slipway-logs-cluster-');
    mkdirSync(opts.cwd, { recursive: true });
    writeFileSync(join(opts.cwd, 'kubeconfig'), [
      'apiVersion: v1', 'kind: Config', 'current-context: lab',
      'clusters:', '- name: lab', '  cluster:', `    server: ${api.url}`,
      'users:', '- name: slipway', '  user:', `    token: ${api.token}`,
      'contexts:', '- name: lab', '  context: { cluster: lab, user: slipway }',
    ].join('\n') + '\n');
    writeFileSync(join(opts.cwd, 'slipway.yaml'), 'kube:\n  kubeconfig: ./kubeconfig\n');
    // The state file as a cluster create leaves it: the app's record names the cluster as its target.
    expect((await runCli(['list'], opts)).code).toBe(0);
    const db = new DatabaseSync(join(opts.home, 'state.db'));
    const at = new Date().toISOString();
    const record = { name: app, description: 'a pomodoro timer', template: 'timer', state: 'running', target: 'cluster', commits: {}, lastRunId: 'run-20261206070000-abcdef', createdAt: at, updatedAt: at };
    db.prepare('INSERT INTO apps (name, record, updated_at) VALUES (?, ?, ?)').run(app, JSON.stringify(record), at);
    db.close();
    return opts;
  }

  beforeAll(async () => {
    kube = await startKubeApiServer({ tls: false });
    forbidden = await startKubeApiServer({ tls: false, forbidden: ['pods/log'] });
    putAppAfterTwoRollouts(kube);
    putAppAfterTwoRollouts(forbidden);
  });
  afterAll(async () => {
    await Promise.all([kube?.stop(), forbidden?.stop()]);
  });

  it("prints the current ReplicaSet's pods' lines, each prefixed with its pod, with since and tail passed to the API", async () => {
    const opts = await clusterHome(kube);
    const all = await runCli(['logs', app], opts);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toBe([
      `[${podA}] listening on http://0.0.0.0:8080`,
      `[${podB}] listening on http://0.0.0.0:8080`,
      `[${podA}] GET / 200`,
      `[${podB}] GET /style.css 200`,
      `[${podA}] GET /app.js 200`,
    ].join('\n') + '\n');
    kube.requests.length = 0;
    const recent = await runCli(['logs', app, '--since', '10m', '--tail', '1'], opts);
    expect(recent.stdout).toBe(`[${podB}] GET /style.css 200\n[${podA}] GET /app.js 200\n`);
    const asked = kube.requests.filter((r) => r.path.includes('/log?')).map((r) => new URL(r.path, 'http://x'));
    expect(asked.map((u) => u.pathname).sort()).toEqual([podA, podB].map((pod) => `/api/v1/namespaces/${namespace}/pods/${pod}/log`).sort());
    for (const u of asked) {
      expect(u.searchParams.get('tailLines')).toBe('1');
      expect(Number(u.searchParams.get('sinceSeconds'))).toBeGreaterThanOrEqual(600);
      expect(Number(u.searchParams.get('sinceSeconds'))).toBeLessThan(620);
      expect(u.searchParams.get('container')).toBe(app);
    }
  });

  it('follows both pods until they go away, then exits 0', async () => {
    const opts = await clusterHome(kube);
    const following = follow([app, '--tail', '0'], opts);
    for (let i = 0; i < 200 && kube.requests.filter((r) => r.path.includes('follow=true')).length < 2; i++) await delay(50);
    kube.appendLog(namespace, podB, 'GET /b 200');
    await following.waitFor(`[${podB}] GET /b 200`);
    kube.appendLog(namespace, podA, 'GET /a 200');
    await following.waitFor(`[${podA}] GET /a 200`);
    kube.endLog(namespace, podA);
    kube.endLog(namespace, podB);
    const { code, stdout, stderr } = await following.exited();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`[${podB}] GET /b 200\n[${podA}] GET /a 200\n`);
  });

  it('reads the pods through a server, whose logs route serves cluster apps', async () => {
    putAppAfterTwoRollouts(kube);
    const opts = await clusterHome(kube);
    const server = await startServer(opts);
    try {
      const remote = await runCli(['--server', server.url, 'logs', app, '--tail', '1'], opts);
      expect(remote.stderr).toBe('');
      expect(remote.stdout.trimEnd().split('\n').sort()).toEqual([`[${podA}] GET /app.js 200`, `[${podB}] GET /style.css 200`].sort());
    } finally {
      await server.stop();
    }
  });

  it('names the RBAC rules it needs, with a Role and RoleBinding, when the API refuses', async () => {
    const opts = await clusterHome(forbidden);
    const refused = await runCli(['logs', app], opts);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`error: Slipway may not read the logs of ${app}`);
    expect(refused.stderr).toContain('cannot get resource "pods/log"');
    expect(refused.stderr).toContain(`It needs get deployments, list replicasets, list pods, get pods/log in namespace ${namespace}`);
    expect(refused.stderr).toContain('kind: RoleBinding');
    expect(refused.stderr).toContain('subjects: [{ kind: ServiceAccount, name: slipway, namespace: slipway }]');
    expect(refused.stderr).not.toContain(forbidden.token);
  });
});
