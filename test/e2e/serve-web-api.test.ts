import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../support/cli.ts';
import { jsonOf, readEvents, startServer, type RunningServer } from '../support/serve.ts';

const { home, cwd } = tempHome('slipway-serve-web-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
let server: RunningServer;
const APP = 'web-files';

beforeAll(async () => {
  server = await startServer({ home, cwd });
  const created = await fetch(`${server.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ template: 'static-site', name: APP }) });
  expect(created.status).toBe(202);
  const events = await readEvents(`${server.url}${created.headers.get('location')}/events`);
  expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ type: 'run:end', status: 'succeeded' });
}, 180_000);

afterAll(async () => {
  if (!server) return;
  const response = await fetch(`${server.url}/v1/apps/${APP}`, { method: 'DELETE' });
  if (response.status === 202) await readEvents(`${server.url}${response.headers.get('location')}/events`);
  await server.stop();
}, 120_000);

const get = (path: string) => fetch(`${server.url}${path}`);

/** Commits a file into the app's folder of the source repo, as another writer would. */
function pushToSource(path: string, bytes: Uint8Array): void {
  const work = mkdtempSync(join(tmpdir(), 'slipway-web-push-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Someone', '-c', 'user.email=someone@home.lan', ...args], { cwd: work });
  git('clone', '--quiet', join(home, 'git', 'apps.git'), '.');
  writeFileSync(join(work, path), bytes);
  git('add', path);
  git('commit', '--quiet', '-m', 'Add a picture');
  git('push', '--quiet', 'origin', 'HEAD');
}

describe("slipway serve's routes for the web page", () => {
  it('lists the templates with their titles and descriptions, and the generator create uses', async () => {
    const { templates } = await jsonOf(get('/v1/templates'));
    expect(templates.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(['static-site', 'notes-api', 'timer', 'form']));
    for (const template of templates) expect(template).toEqual({ id: expect.any(String), title: expect.stringMatching(/\S/), description: expect.stringMatching(/\S/) });
    const generator = await jsonOf(get('/v1/generator'));
    expect(generator).toEqual({ kind: 'templates', description: expect.stringContaining('offline templates') });
  });

  it('runs the checks slipway doctor makes', async () => {
    const { checks } = await jsonOf(get('/v1/doctor'));
    const names = checks.map((c: { name: string }) => c.name);
    expect(names).toEqual(expect.arrayContaining(['node', 'config', 'home', 'git', 'source repo', 'gitops repo', 'podman']));
    for (const check of checks) {
      expect(['ok', 'warn', 'fail']).toContain(check.status);
      expect(typeof check.detail).toBe('string');
    }
    expect(checks.find((c: { name: string }) => c.name === 'git').status).toBe('ok');
  });

  it("lists and reads the app's source and its manifests", async () => {
    const source = await jsonOf(get(`/v1/apps/${APP}/files?repo=source`));
    expect(source.repo).toBe('source');
    const paths = source.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'public/index.html', 'server.js']));
    expect(paths).toEqual([...paths].sort());
    const index = await jsonOf(get(`/v1/apps/${APP}/files/public/index.html?repo=source`));
    expect(index).toMatchObject({ path: 'public/index.html', binary: false });
    expect(index.content).toContain('<html');
    expect(index.size).toBe(Buffer.byteLength(index.content));
    expect(source.files.find((f: { path: string }) => f.path === 'public/index.html').size).toBe(index.size);
    // Without ?repo, the source.
    expect((await jsonOf(get(`/v1/apps/${APP}/files`))).files).toEqual(source.files);

    const gitops = await jsonOf(get(`/v1/apps/${APP}/files?repo=gitops`));
    const manifests = gitops.files.map((f: { path: string }) => f.path);
    expect(manifests).toEqual([...manifests].sort());
    const deploymentPath = manifests.find((p: string) => p.endsWith('/deployment.yaml'));
    expect(deploymentPath, manifests.join(', ')).toBeDefined();
    const deployment = await jsonOf(get(`/v1/apps/${APP}/files/${deploymentPath}?repo=gitops`));
    expect(deployment.content).toContain('kind: Deployment');
    expect(deployment.content).toContain(APP);
  });

  it('describes a binary file without its content', async () => {
    pushToSource(`${APP}/public/dot.png`, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0xff]));
    expect(await jsonOf(get(`/v1/apps/${APP}/files/public/dot.png`))).toEqual({ path: 'public/dot.png', size: 12, binary: true });
  });

  it('refuses a path out of the folder, a bad repo, and answers 404 for what is not there', async () => {
    for (const path of ['..%2F..%2Fetc%2Fpasswd', 'public/..%2F..%2Fother-app%2Fserver.js', '.git/config', 'public//index.html']) {
      const response = await get(`/v1/apps/${APP}/files/${path}`);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await get(`/v1/apps/${APP}/files?repo=elsewhere`)).status).toBe(400);
    expect((await get(`/v1/apps/${APP}/files/missing.txt`)).status).toBe(404);
    expect((await get('/v1/apps/no-such-app/files')).status).toBe(404);
  });

  it("streams a process app's log: the last lines, then new ones as they are written", async () => {
    const logFile = join(home, 'logs', `${APP}.log`);
    appendFileSync(logFile, 'an older line\n');
    const marker = `written after the stream opened ${Date.now()}`;
    const writer = setTimeout(() => appendFileSync(logFile, `${marker}\n`), 700);
    try {
      const events = await readEvents(`${server.url}/v1/apps/${APP}/logs?tail=1`, { until: (e) => JSON.parse(e.data).line === marker });
      expect(events.every((e) => e.event === 'log')).toBe(true);
      expect(events.map((e) => JSON.parse(e.data).line)).toEqual(['an older line', marker]);
    } finally {
      clearTimeout(writer);
    }
  });

  it('answers 409 for the logs of an app on a cluster when the server has no Kubernetes API access', async () => {
    const db = new DatabaseSync(join(home, 'state.db'));
    const at = new Date().toISOString();
    const record = { name: 'far-away', description: 'on the cluster', template: 'static-site', state: 'running', target: 'cluster', commits: {}, lastRunId: 'run-20261201000000-abcdef', createdAt: at, updatedAt: at };
    db.prepare('INSERT INTO apps (name, record, updated_at) VALUES (?, ?, ?)').run('far-away', JSON.stringify(record), at);
    db.close();
    const response = await get('/v1/apps/far-away/logs');
    expect(response.status).toBe(409);
    const problem = await jsonOf(response);
    expect(problem.detail).toBe('far-away runs on the cluster, and Slipway has no access to its Kubernetes API to read the logs');
    expect(problem.hint).toContain('kube: in slipway.yaml');
    const db2 = new DatabaseSync(join(home, 'state.db'));
    db2.prepare("DELETE FROM apps WHERE name = 'far-away'").run();
    db2.close();
  });
});
