import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { logWithTrailers } from '../support/git-fixtures.ts';
import { problemOf } from '../support/problem.ts';
import { startServer, type RunningServer } from '../support/serve.ts';

/** `slipway versions` and GET /v1/apps/{app}/versions on the embedded default (process runtime, OCI layout, local repos). */
const opts = tempHome('slipway-versions-');
writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const skopeo = (() => {
  try {
    execFileSync('skopeo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
let report: { version: string; runId: string; url: string; commits: { source: string; gitops: string } };

beforeAll(async () => {
  const created = await runCli(['create', 'a pomodoro timer', '--name', 'timer', '--json'], opts);
  expect(created.code, created.stderr).toBe(0);
  report = JSON.parse(created.stdout);
}, 300_000);

/** Throw-away folders this file made, removed at the end (a home holds the app's images). */
const scratch: string[] = [opts.cwd];

afterAll(async () => {
  await runCli(['delete', 'timer'], opts);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('versions of an app', () => {
  it('numbers a create v1.0.0 and lists it with its image, commits, run and request', async () => {
    expect(report.version).toBe('v1.0.0');
    const sha7 = report.commits.source.slice(0, 7);
    const result = await runCli(['versions', 'timer', '--json'], opts);
    expect(result.code, result.stderr).toBe(0);
    const listed = JSON.parse(result.stdout);
    expect(listed).toEqual({
      app: 'timer', current: 'v1.0.0',
      versions: [{
        version: 'v1.0.0', image: expect.stringMatching(new RegExp(`/timer:v1\\.0\\.0-${sha7}-prod@sha256:[0-9a-f]{64}$`)), digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        sourceCommit: report.commits.source, gitopsCommit: report.commits.gitops, runId: report.runId, action: 'create',
        request: 'a pomodoro timer', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/), env: 'prod', generator: 'templates',
      }],
    });
    const [version] = listed.versions;
    expect(version.image.endsWith(`@${version.digest}`)).toBe(true);

    // The image is stored under the version's tag, with the digest the manifests pin.
    const tag = `v1.0.0-${sha7}-prod`;
    const layout = JSON.parse(readFileSync(join(opts.home, 'images', 'index.json'), 'utf8'));
    expect(layout.manifests).toContainEqual(expect.objectContaining({ digest: version.digest, annotations: { 'org.opencontainers.image.ref.name': `timer_${tag}` } }));
    if (skopeo) {
      const inspected = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${join(opts.home, 'images')}:timer_${tag}`], { encoding: 'utf8' }));
      expect(inspected.Digest).toBe(version.digest);
      expect(inspected.Labels['org.opencontainers.image.revision']).toBe(report.commits.source);
    }

    // The GitOps commit says so in its trailers, and its subject is the request.
    const [commit] = await logWithTrailers(join(opts.home, 'git', 'gitops.git'));
    expect(commit).toMatchObject({
      sha: report.commits.gitops, subject: 'timer: a pomodoro timer',
      trailers: { 'Slipway-App': 'timer', 'Slipway-Run': report.runId, 'Slipway-Action': 'deploy', 'Slipway-Source': report.commits.source, 'Slipway-Version': 'v1.0.0', 'Slipway-Env': 'prod', 'Slipway-Image': version.image },
    });

    // The app's record and the list say which version runs.
    const status = JSON.parse((await runCli(['status', 'timer', '--json'], opts)).stdout);
    expect(status).toMatchObject({ version: 'v1.0.0', env: 'prod' });
    expect((await runCli(['list'], opts)).stdout).toMatch(/^APP +STATE +VERSION +URL +SOURCE +GITOPS\ntimer +running +v1\.0\.0 +http:/);
  });

  it('prints the versions as a table, the current one starred', async () => {
    const result = await runCli(['versions', 'timer'], opts);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('timer runs v1.0.0 in prod');
    expect(lines[2]).toMatch(/^VERSION +ENV +ACTION +AT +SOURCE +DIGEST +RUN +GENERATOR +REQUEST$/);
    expect(lines[3]).toMatch(new RegExp(`^v1\\.0\\.0 \\* +prod +create +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\S* +${report.commits.source.slice(0, 7)} +sha256:[0-9a-f]{12} +${report.runId} +templates +a pomodoro timer$`));
  });

  it('refuses an unknown app or a bad environment name with exit 2 and what to do', async () => {
    const missing = await runCli(['versions', 'nope'], opts);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no app named 'nope'");
    expect(missing.stderr).toContain('slipway list');
    const bad = await runCli(['versions', 'timer', '--env', 'Prod!', '--json'], opts);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ message: "'Prod!' is not an environment name", hint: expect.stringContaining('dev or prod') });
    const other = JSON.parse((await runCli(['versions', 'timer', '--env', 'dev', '--json'], opts)).stdout);
    expect(other).toEqual({ app: 'timer', current: null, versions: [] });
  });
});

/** git for a scratch clone, without the developer's configuration. */
function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH!, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Slipway', GIT_AUTHOR_EMAIL: 's@example.test', GIT_COMMITTER_NAME: 'Slipway', GIT_COMMITTER_EMAIL: 's@example.test' } });
}

describe('an app an older Slipway deployed', () => {
  it('reads as v1.0.0: its create commit has no version trailers and its record no version', async () => {
    // What an older Slipway left: a manifests commit with only the app, run, action and source trailers, and a record without a version.
    const clone = mkdtempSync(join(tmpdir(), 'slipway-versions-legacy-'));
    scratch.push(clone);
    git(['clone', '--quiet', join(opts.home, 'git', 'gitops.git'), clone]);
    writeFileSync(join(clone, 'legacy.yaml'), 'kind: Deployment\n');
    git(['add', 'legacy.yaml'], clone);
    git(['commit', '--quiet', '-m', 'Deploy legacy\n\nImage: r/legacy:0123456789ab@sha256:' + '2'.repeat(64) + '\n\nSlipway-App: legacy\nSlipway-Run: run-20261101100000-abcdef\nSlipway-Action: deploy\nSlipway-Source: ' + report.commits.source], clone);
    git(['push', '--quiet', 'origin', 'HEAD:main'], clone);
    const gitops = git(['rev-parse', 'HEAD'], clone).trim();
    const at = '2026-11-01T10:00:00.000Z';
    const db = new DatabaseSync(join(opts.home, 'state.db'));
    const record = { name: 'legacy', description: 'an older app', template: 'timer', state: 'failed', target: 'local', commits: { gitops }, lastRunId: 'run-20261101100000-abcdef', createdAt: at, updatedAt: at };
    db.prepare('INSERT INTO apps (name, record, updated_at) VALUES (?, ?, ?)').run('legacy', JSON.stringify(record), at);
    db.close();

    const listed = JSON.parse((await runCli(['versions', 'legacy', '--json'], opts)).stdout);
    expect(listed).toEqual({
      app: 'legacy', current: 'v1.0.0',
      versions: [{ version: 'v1.0.0', image: '', digest: '', sourceCommit: report.commits.source, gitopsCommit: gitops, runId: 'run-20261101100000-abcdef', action: 'create', request: 'Deploy legacy', at: expect.any(String), env: 'prod' }],
    });
    expect(JSON.parse((await runCli(['status', 'legacy', '--json'], opts)).stdout)).toMatchObject({ version: 'v1.0.0', env: 'prod' });
    // The app made today keeps its own history.
    expect(JSON.parse((await runCli(['versions', 'timer', '--json'], opts)).stdout).versions).toHaveLength(1);
    const db2 = new DatabaseSync(join(opts.home, 'state.db'));
    db2.prepare('DELETE FROM apps WHERE name = ?').run('legacy');
    db2.close();
  });
});

describe('GET /v1/apps/{app}/versions', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(opts);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('answers what the command line prints, and the command line prints it through --server', async () => {
    const here = JSON.parse((await runCli(['versions', 'timer', '--json'], opts)).stdout);
    const response = await fetch(new URL('/v1/apps/timer/versions', server.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(here);
    const client = tempHome('slipway-versions-client-');
    scratch.push(client.cwd);
    const remote = await runCli(['--server', server.url, 'versions', 'timer', '--json'], client);
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout)).toEqual(here);
    const filtered = await fetch(new URL('/v1/apps/timer/versions?env=prod', server.url));
    expect((await filtered.json()).versions).toHaveLength(1);
    const report = await (await fetch(new URL(`/v1/runs/${here.versions[0].runId}`, server.url))).json();
    expect(report.version).toBe('v1.0.0');
    const apps = await (await fetch(new URL('/v1/apps', server.url))).json();
    expect(apps.apps.find((a: { app: string }) => a.app === 'timer')).toMatchObject({ version: 'v1.0.0', env: 'prod' });
  });

  it('is a 404 for an unknown app and a 400 for a bad environment name, as problems', async () => {
    expect((await problemOf(await fetch(new URL('/v1/apps/nope/versions', server.url)), 404)).detail).toContain("no app named 'nope'");
    expect((await problemOf(await fetch(new URL('/v1/apps/timer/versions?env=Prod!', server.url)), 400)).detail).toContain('not an environment name');
  });

  it('is declared in the OpenAPI document with its answer', async () => {
    const document = await (await fetch(new URL('/openapi.json', server.url))).json();
    const operation = document.paths['/v1/apps/{app}/versions'].get;
    expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AppVersionList' });
    expect(Object.keys(document.components.schemas.AppVersion.properties)).toEqual(['version', 'image', 'digest', 'sourceCommit', 'gitopsCommit', 'runId', 'action', 'request', 'at', 'env', 'generator']);
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(['app', 'env']);
  });
});
