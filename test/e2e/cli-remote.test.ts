import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempHome, type CliResult } from '../support/cli.ts';
import { startServer, type RunningServer } from '../support/serve.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { closedPort } from '../support/ports.ts';

/**
 * The command line against a real `slipway serve`: same output and exit codes as on this machine.
 * The server, this machine (for comparison) and the client each have their own home; the client's
 * stays untouched, since with --server nothing is opened locally.
 */
const RUNTIME = 'local:\n  runtime: process\n';
const serverSide = tempHome('slipway-remote-server-');
const localSide = tempHome('slipway-remote-local-');
const client = tempHome('slipway-remote-client-');
let server: RunningServer;
let proxy: TcpProxy;

const remote = (args: string[], env: Record<string, string> = {}) => runCli(['--server', server.url, ...args], { ...client, env });
const local = (args: string[]) => runCli(args, localSide);

/** Output with what differs between two runs (times, ids, SHAs, ports, sizes) blanked. */
const shape = (text: string) => text
  .replace(/run-\d{14}-[a-z0-9]{6}/g, '<run>')
  // A duration's width changes with it ("700 ms", "1.2 s"), and with it the padding before it.
  .replace(/ +\d+(\.\d+)? m?s\b/g, ' <time>')
  .replace(/\b[0-9a-f]{12,64}\b/g, '<sha>')
  .replace(/\d+/g, '#');

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(new URL(path, server.url), init);
  expect(response.ok, `${path}: ${response.status}`).toBe(true);
  return (await response.json()) as T;
}

/** The id of the run a command started, as its progress or its failure names it. */
function runId(result: CliResult): string {
  return /\((run-\d{14}-[a-z0-9]{6})\)/.exec(result.stdout)?.[1] ?? /Run (run-\S+)/.exec(result.stderr)?.[1] ?? '';
}

beforeAll(async () => {
  for (const side of [serverSide, localSide]) writeFileSync(join(side.cwd, 'slipway.yaml'), RUNTIME);
  mkdirSync(client.cwd, { recursive: true });
  server = await startServer(serverSide);
  const { hostname, port } = new URL(server.url);
  proxy = await startTcpProxy({ host: hostname, port: Number(port) });
});

afterAll(async () => {
  // What a test left behind when it failed midway; deleting what is gone already just says so.
  for (const app of ['focus', 'cut-focus', 'interrupted-site']) await remote(['delete', app]);
  await local(['delete', 'focus']);
  await proxy?.close();
  await server?.stop();
});

describe('slipway --server', () => {
  it('creates an app on the server with the same progress lines and summary as on this machine', async () => {
    const args = ['create', 'a focus timer', '--template', 'timer', '--name', 'focus'];
    const [there, here] = [await remote(args), await local(args)];
    expect(there.stderr).toBe('');
    expect(there.code).toBe(0);
    expect(here.code).toBe(0);
    expect(shape(there.stdout)).toBe(shape(here.stdout));
    expect(there.stdout).toMatch(/^Using the timer template\.\nStarting create of focus \(run-\d{14}-[a-z0-9]{6}\)\n✓ Number the version .*\n✓ Plan the app/);
    expect(there.stdout).toMatch(/\nShipped focus in [\d.]+ m?s\n {2}version {8}v1\.0\.0\n {2}source commit {2}[0-9a-f]{40}\n/);
    const url = /url {12}(\S+)/.exec(there.stdout)![1]!;
    expect((await fetch(url)).status).toBe(200);
    // Nothing was opened on the client's side.
    expect(existsSync(client.home)).toBe(false);
    const run = await api<{ status: string; app: string }>(`/v1/runs/${runId(there)}`);
    expect(run).toMatchObject({ status: 'succeeded', app: 'focus' });
  });

  it('lists the apps the server lists, in the shape list --json has on this machine', async () => {
    const result = await remote(['list', '--json']);
    expect(result.code).toBe(0);
    const { apps } = await api<{ apps: Array<{ app: string; url: string | null }> }>('/v1/apps');
    expect(apps.map((a) => a.app)).toEqual(['focus']);
    const listed = JSON.parse(result.stdout);
    expect(listed).toEqual(apps.map(({ app, url, ...rest }) => ({ name: app, ...rest, ...(url !== null ? { url } : {}) })));
    const here = JSON.parse((await local(['list', '--json'])).stdout);
    expect(Object.keys(listed[0]).sort()).toEqual(Object.keys(here[0]).sort());
    const table = await remote(['list']);
    expect(table.stdout).toMatch(/^APP +STATE +VERSION +URL +SOURCE +GITOPS\nfocus +running +v1\.0\.0 +http:/);
    expect(shape(table.stdout)).toBe(shape((await local(['list'])).stdout));
  });

  it('shows an app and its runs as this machine does', async () => {
    const [there, here] = [await remote(['status', 'focus']), await local(['status', 'focus'])];
    expect(there.code).toBe(0);
    expect(shape(there.stdout)).toBe(shape(here.stdout));
    expect(there.stdout).toMatch(/\n {4}source {2}[0-9a-f]{12} /);
    const runs = await remote(['runs', 'focus']);
    expect(runs.code).toBe(0);
    expect(shape(runs.stdout)).toBe(shape((await local(['runs', 'focus'])).stdout));
    const json = JSON.parse((await remote(['runs', '--json', '--limit', '1'])).stdout);
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ app: 'focus', kind: 'create', status: 'succeeded' });
    // The same fields in the same order; the API does not show the request a run stores.
    const [ours] = JSON.parse((await local(['runs', '--json', '--limit', '1'])).stdout);
    expect(Object.keys(json[0])).toEqual(Object.keys(ours));
    expect(json[0].timeline.map((s: { stepId: string }) => s.stepId)).toEqual(ours.timeline.map((s: { stepId: string }) => s.stepId));
  });

  it('adds, lists and removes the server\'s externals as this machine does its own', async () => {
    const add = ['external', 'add', 'nas', '--address', '192.168.1.20', '--port', '445'];
    const [there, here] = [await remote(add), await local(add)];
    expect(there).toMatchObject({ code: 0, stderr: '' });
    const commit = (text: string) => shape(text.replace(/commit [0-9a-f]{7}\b/g, 'commit <sha>'));
    expect(commit(there.stdout)).toBe(commit(here.stdout));
    expect(there.stdout).toMatch(/^Added external nas \(\w+\): 192\.168\.1\.20:445\/TCP, as a Service without selector and an EndpointSlice\./);
    const listed = await remote(['external', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([{ name: 'nas', address: '192.168.1.20', port: 445, protocol: 'TCP' }]);
    expect(await api<{ externals: unknown[] }>('/v1/externals')).toEqual({ externals: JSON.parse(listed.stdout) });
    // A bad port and an unknown name: refused with the words and exit code this machine uses.
    for (const args of [['external', 'add', 'printer', '--address', '10.0.0.9', '--port', 'http'], ['external', 'remove', 'no-such-external']]) {
      const [refused, same] = [await remote(args), await local(args)];
      expect(refused.code, refused.stderr).toBe(same.code);
      expect(refused.stderr).toBe(same.stderr);
    }
    const removed = await remote(['external', 'remove', 'nas', '--json']);
    expect(JSON.parse(removed.stdout)).toMatchObject({ external: { name: 'nas' }, kind: 'ip' });
    expect((await local(['external', 'remove', 'nas'])).code).toBe(0);
    expect(await api<{ externals: unknown[] }>('/v1/externals')).toEqual({ externals: [] });
    expect(existsSync(client.home)).toBe(false);
  });

  it('follows SLIPWAY_SERVER as it follows --server', async () => {
    const result = await runCli(['list'], { ...client, env: { SLIPWAY_SERVER: server.url } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('focus  running');
    expect(existsSync(client.home)).toBe(false);
    const bad = await runCli(['list'], { ...client, env: { SLIPWAY_SERVER: 'ftp://127.0.0.1/' } });
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe('error: SLIPWAY_SERVER must be an http:// or https:// URL, not "ftp://127.0.0.1/"\n  → e.g. SLIPWAY_SERVER=http://127.0.0.1:8420\n');
  });

  it.each([
    [['create', 'a timer', '--template', 'timer', '--name', 'Bad_Name']],
    [['create', 'a timer', '--template', 'no-such-template']],
    [['create', 'another focus timer', '--template', 'timer', '--name', 'focus']],
    [['resume', 'run-20260101000000-abcdef']],
    [['resume', 'nonsense']],
    [['status', 'no-such-app']],
    [['delete', 'no-such-app']],
    [['delete', 'Bad_Name']],
    [['runs', 'Bad_Name']],
  ])('refuses %j with exit 2 and the message this machine gives', async (args) => {
    const [there, here] = [await remote(args), await local(args)];
    expect(here.code).toBe(2);
    expect(there.code).toBe(2);
    expect(there.stderr).toBe(here.stderr);
    expect(there.stdout).toBe(here.stdout);
  });

  it('deletes an app on the server, printing the JSON this machine prints', async () => {
    const [there, here] = [await remote(['delete', 'focus', '--json']), await local(['delete', 'focus', '--json'])];
    expect(there.code).toBe(0);
    expect(here.code).toBe(0);
    const [a, b] = [JSON.parse(there.stdout), JSON.parse(here.stdout)];
    expect(a).toMatchObject({ app: 'focus', kind: 'delete', status: 'succeeded' });
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(a.timeline.map((s: { stepId: string }) => s.stepId)).toEqual(b.timeline.map((s: { stepId: string }) => s.stepId));
    expect(await api('/v1/apps')).toEqual({ apps: [] });
  });

  it('says the server cannot be reached, naming it, with exit 1', async () => {
    const port = await closedPort();
    const result = await runCli(['--server', `http://127.0.0.1:${port}`, 'list'], client);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: Slipway server http://127.0.0.1:${port}: cannot be reached (connection refused)\n` +
      '  → Check that `slipway serve` runs there, or point --server (or SLIPWAY_SERVER) at the right address.\n',
    );
  });

  it.each([
    [['--server', 'ftp://127.0.0.1/', 'list'], 'error: --server must be an http:// or https:// URL, not "ftp://127.0.0.1/"'],
    [['--server', 'http://me:hunter2@127.0.0.1/', 'list'], 'error: --server must not hold a user or password'],
    [['build', '.', '--image', 'oci:out:1', '--server', 'http://127.0.0.1:8420'], 'error: slipway build works on this machine only and does not take --server'],
    [['--server', 'http://127.0.0.1:8420', 'doctor'], 'error: slipway doctor works on this machine only and does not take --server'],
    [['--server', 'http://127.0.0.1:8420', 'token', 'list'], 'error: slipway token works on this machine only and does not take --server'],
    [['serve', '--port', '0', '--server', 'http://127.0.0.1:8420'], 'error: slipway serve works on this machine only and does not take --server'],
    [['--server', 'http://127.0.0.1:8420', 'create', 'a timer', '--target', 'cluster'], "error: --target does not go with --server: the server's slipway.yaml chooses the target"],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await runCli(args, client);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('hunter2');
    expect(existsSync(join(client.cwd, 'out'))).toBe(false);
  });

  it('leaves SLIPWAY_SERVER out of commands that work on this machine only', async () => {
    const result = await runCli(['init', '--out', 'init-here.yaml'], { ...client, env: { SLIPWAY_SERVER: 'http://127.0.0.1:1' } });
    expect(result.code).toBe(0);
    expect(existsSync(join(client.cwd, 'init-here.yaml'))).toBe(true);
  });

  it('keeps following a run when the connection to the server drops, showing each step once', async () => {
    const child = spawnCli(['--server', proxy.url, 'create', 'a focus timer', '--template', 'timer', '--name', 'cut-focus'], client);
    let stdout = '';
    let cut = false;
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      // Dropped once the first step has finished: the run is under way on the server.
      if (!cut && stdout.includes('✓ Plan the app')) {
        cut = true;
        proxy.cut();
      }
    });
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(cut).toBe(true);
    expect(code).toBe(0);
    expect(proxy.connections()).toBeGreaterThanOrEqual(3);
    const { runs } = await api<{ runs: Array<{ timeline: unknown[] }> }>('/v1/runs?app=cut-focus');
    expect(stdout.split('\n').filter((l) => l.startsWith('✓ '))).toHaveLength(runs[0]!.timeline.length);
    expect(stdout).toContain('\nShipped cut-focus in ');
  });

  it('cancels the run on the server on Ctrl-C, and resume continues it there', async () => {
    const child = spawnCli(['--server', server.url, 'create', 'a site', '--template', 'static-site', '--name', 'interrupted-site'], client);
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    let interrupted = false;
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      if (!interrupted && stdout.includes('✓ Generate the source')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(code).toBe(1);
    const id = /\((run-\S+)\)/.exec(stdout)![1]!;
    expect(stderr).toContain(`Run ${id} cancelled`);
    expect(stderr).toContain(`continue with: slipway resume ${id}`);
    expect(await api(`/v1/runs/${id}`)).toMatchObject({ status: 'cancelled' });

    const resumed = await remote(['resume', id]);
    expect(resumed.code).toBe(0);
    // Only this attempt is shown: the steps done before Ctrl-C are reused, none is shown twice.
    expect(resumed.stdout).toMatch(new RegExp(`^Resuming create of interrupted-site \\(${id}\\)\\n↺ Number the version .*\\n↺ Plan the app`));
    expect(resumed.stdout.match(/Plan the app/g)).toHaveLength(1);
    expect(resumed.stdout).toContain('\nShipped interrupted-site in ');
  });
});

describe('slipway --server with API tokens', () => {
  const guarded = tempHome('slipway-remote-tokens-');
  let tokenServer: RunningServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    writeFileSync(join(guarded.cwd, 'slipway.yaml'), RUNTIME);
    tokenServer = await startServer(guarded);
    for (const scope of ['read', 'write']) {
      const made = await runCli(['token', 'create', '--name', `cli-${scope}`, '--scope', scope], guarded);
      expect(made.code).toBe(0);
      tokens[scope] = made.stdout.trim();
    }
  });
  afterAll(async () => {
    await tokenServer?.stop();
  });

  const withToken = (args: string[], token?: string) => runCli(['--server', tokenServer.url, ...args], { ...client, env: token ? { SLIPWAY_TOKEN: token } : {} });

  it('sends SLIPWAY_TOKEN as a bearer token', async () => {
    const result = await withToken(['list'], tokens.read);
    expect(result).toMatchObject({ code: 0, stdout: 'No apps yet. Create one: slipway create "a pomodoro timer"\n' });
  });

  it('exits 2 with what to do for a missing or wrong token, never printing it', async () => {
    const missing = await withToken(['list']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: .+\n {2}→ Set SLIPWAY_TOKEN \(or pass --token-file\) to a token the server knows: .+\n$/);
    const wrong = `${tokens.write!.slice(0, -4)}AAAA`;
    const refused = await withToken(['runs'], wrong);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: .+\n {2}→ .+\n$/);
    expect(`${refused.stdout}${refused.stderr}`).not.toContain(wrong);
    expect(`${refused.stdout}${refused.stderr}`).not.toContain(wrong.slice(4, 20));
  });

  it('exits 2 when the token may only read and the command would change something', async () => {
    const result = await withToken(['create', 'a timer', '--template', 'timer', '--name', 'not-allowed'], tokens.read);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*scope.*\n/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(tokens.read!);
    expect(await withToken(['list', '--json'], tokens.write)).toMatchObject({ code: 0, stdout: '[]\n' });
  });

  it('reads the token from --token-file instead of SLIPWAY_TOKEN', async () => {
    const file = join(client.cwd, 'slipway-token');
    writeFileSync(file, `${tokens.read}\n`, { mode: 0o600 });
    const result = await runCli(['--server', tokenServer.url, '--token-file', file, 'runs'], { ...client, env: { SLIPWAY_TOKEN: 'slw_not-this-one' } });
    expect(result).toMatchObject({ code: 0, stdout: 'No runs yet.\n' });
    const refused = await runCli(['--token-file', file, 'doctor'], client);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error: slipway doctor works on this machine only and does not take --server or --token-file');
  });
});

describe('slipway --server while the server restarts', () => {
  const restarting = tempHome('slipway-remote-restart-');
  const servers: RunningServer[] = [];

  afterAll(async () => {
    const last = servers.at(-1);
    if (last) await runCli(['--server', last.url, 'delete', 'survivor'], client);
    for (const running of servers) await running.stop();
  });

  it('follows a create through a killed and restarted server to its end', async () => {
    writeFileSync(join(restarting.cwd, 'slipway.yaml'), RUNTIME);
    const port = String(await closedPort());
    servers.push(await startServer({ ...restarting, args: ['--port', port] }));
    const child = spawnCli(['--server', servers[0]!.url, 'create', 'a timer', '--template', 'timer', '--name', 'survivor'], client);
    let stdout = '';
    let stderr = '';
    let killed: Promise<unknown> | undefined;
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      // Killed as a crash would: the run is under way, and the next server on the port continues it.
      if (!killed && stdout.includes('✓ Plan the app')) {
        killed = servers[0]!.stop('SIGKILL').then(async () => servers.push(await startServer({ ...restarting, args: ['--port', port] })));
      }
    });
    const code = await new Promise((resolve) => child.once('close', resolve));
    await killed;
    expect(servers).toHaveLength(2);
    expect(servers[1]!.url).toBe(servers[0]!.url);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('\nResuming create of survivor (');
    // The new server reuses what the killed one finished; no event is shown twice.
    expect(stdout).toMatch(/\n↺ Plan the app +done earlier/);
    const lines = stdout.split('\n').filter(Boolean);
    expect(new Set(lines).size).toBe(lines.length);
    expect(stdout).toContain('\nShipped survivor in ');
    const url = /url {12}(\S+)/.exec(stdout)![1]!;
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('slipway --server with a run that fails', () => {
  // A registry nothing listens on: the image step fails on the server as it fails here.
  const BROKEN = `${RUNTIME}registry:\n  host: 127.0.0.1:9\n  insecure: true\n`;
  const failing = tempHome('slipway-remote-failing-');
  const failingHere = tempHome('slipway-remote-failing-local-');
  let failingServer: RunningServer;

  beforeAll(async () => {
    for (const side of [failing, failingHere]) writeFileSync(join(side.cwd, 'slipway.yaml'), BROKEN);
    failingServer = await startServer(failing);
  });
  afterAll(async () => {
    await failingServer?.stop();
  });

  it('exits 1 with the failing stage, its reason and how to resume, as on this machine', async () => {
    const args = ['create', 'a timer', '--template', 'timer', '--name', 'broken'];
    const [there, here] = [await runCli(['--server', failingServer.url, ...args], client), await runCli(args, failingHere)];
    expect(here.code).toBe(1);
    expect(there.code).toBe(1);
    expect(shape(there.stdout)).toBe(shape(here.stdout));
    expect(shape(there.stderr)).toBe(shape(here.stderr));
    expect(there.stderr).toMatch(/^\nRun run-\S+ failed at step image:build: /);
    expect(there.stderr).toMatch(/→ After fixing the cause, continue with: slipway resume run-\S+\n$/);
  });
});
