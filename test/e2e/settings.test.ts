import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliWithInput, tempHome } from '../support/cli.ts';
import { expectNoClearSecrets } from '../support/clear-secrets.ts';

const podman = (() => { try { execFileSync('podman', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } })();

// Values long and random enough that finding one anywhere is no accident.
const FIRST = 'sk-first-4c1e9a7f2b3d8e60';
const SECOND = 'sk-second-9b7d2e4f6a1c3b58';

/** A Node app that serves what its environment says of GREETING and API_KEY. */
const APP_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'configured', version: '1.0.0', type: 'module', scripts: { start: 'node server.js' } }),
  'server.js': [
    "import { createServer } from 'node:http';",
    'createServer((req, res) => {',
    "  if (req.url === '/healthz') { res.writeHead(200); return res.end('ok'); }",
    "  res.writeHead(200, { 'content-type': 'application/json' });",
    '  res.end(JSON.stringify({ greeting: process.env.GREETING ?? null, apiKey: process.env.API_KEY ?? null }));',
    "}).listen(Number(process.env.PORT || 8080), process.env.HOST || '0.0.0.0');",
  ].join('\n'),
};

const runWithInput = runCliWithInput;

const homes: string[] = [];
afterAll(() => {
  for (const cwd of homes) rmSync(cwd, { recursive: true, force: true });
});

describe.each([
  { runtime: 'process', skip: false },
  { runtime: 'podman', skip: !podman },
])('settings and secrets on the $runtime runtime', ({ runtime, skip }) => {
  it.skipIf(skip)('hands the app its settings and secrets as environment; a new secret restarts it; no value leaks', async () => {
    const opts = tempHome(`slipway-settings-${runtime}-`);
    homes.push(opts.cwd);
    writeFileSync(join(opts.cwd, 'slipway.yaml'), `local:\n  runtime: ${runtime}\n`);
    const dir = join(opts.cwd, 'app');
    mkdirSync(dir);
    for (const [path, content] of Object.entries(APP_FILES)) writeFileSync(join(dir, path), content);
    const app = `cfg-${runtime}`;
    const created = await runCli(['create', '--from', dir, '--name', app, '--json'], opts);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    try {
      const served = async () => (await fetch(JSON.parse((await runCli(['status', app, '--json'], opts)).stdout).url)).json();
      expect(await served()).toEqual({ greeting: null, apiKey: null });

      const set = await runCli(['env', 'set', app, 'GREETING=hello there', '--json'], opts);
      expect(set.code, set.stdout + set.stderr).toBe(0);
      const setReport = JSON.parse(set.stdout);
      expect(setReport).toMatchObject({ kind: 'configure', status: 'succeeded' });
      expect(await served()).toEqual({ greeting: 'hello there', apiKey: null });

      writeFileSync(join(opts.cwd, 'key.txt'), `${FIRST}\n`);
      const first = await runCli(['secret', 'set', app, 'API_KEY', '--from-file', join(opts.cwd, 'key.txt'), '--json'], opts);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(await served()).toEqual({ greeting: 'hello there', apiKey: FIRST });

      // A new value from standard input: the app restarts and serves it.
      const second = await runWithInput(['secret', 'set', app, 'API_KEY', '--json'], SECOND, opts);
      expect(second.code, second.stdout + second.stderr).toBe(0);
      expect(await served()).toEqual({ greeting: 'hello there', apiKey: SECOND });
      expect(JSON.parse(second.stdout)).toMatchObject({ kind: 'configure', status: 'succeeded', version: 'v1.0.0' });

      // Nothing a process list shows holds the value.
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(SECOND);

      const listed = await runCli(['env', 'list', app], opts);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/API_KEY\s+\(secret\)/);
      expect(listed.stdout).toMatch(/GREETING\s+hello there/);
      const listedJson = JSON.parse((await runCli(['env', 'list', app, '--json'], opts)).stdout);
      expect(listedJson).toEqual({ app, env: 'prod', settings: { GREETING: 'hello there' }, secrets: ['API_KEY'] });

      // The version stays; each change is one configure commit naming what changed, never a value.
      const gitops = join(opts.home, 'git', 'gitops.git');
      const subjects = execFileSync('git', ['-C', gitops, 'log', '--format=%s'], { encoding: 'utf8' }).split('\n');
      expect(subjects.slice(0, 3)).toEqual([`Configure ${app}: secret API_KEY`, `Configure ${app}: secret API_KEY`, `Configure ${app}: set GREETING`]);
      const versions = JSON.parse((await runCli(['versions', app, '--json'], opts)).stdout);
      expect(versions.versions.map((v: { version: string }) => v.version)).toEqual(['v1.0.0']);

      // No value in the run records (report, runs, state file), the logs, or either repo's history.
      const runs = await runCli(['runs', app, '--json'], opts);
      for (const text of [set.stdout, first.stdout, second.stdout, first.stderr, second.stderr, runs.stdout, listed.stdout]) {
        expect(text).not.toContain(FIRST);
        expect(text).not.toContain(SECOND);
      }
      for (const file of ['state.db', 'logs/slipway.log']) {
        const bytes = readFileSync(join(opts.home, file));
        expect(bytes.includes(FIRST) || bytes.includes(SECOND), file).toBe(false);
      }
      for (const repo of ['apps.git', 'gitops.git']) {
        const clone = join(opts.cwd, `clone-${repo}`);
        execFileSync('git', ['clone', '--quiet', join(opts.home, 'git', repo), clone]);
        expectNoClearSecrets(clone, [FIRST, SECOND]);
      }
      const store = readFileSync(join(opts.home, 'secrets', 'prod', `${app}.json`), 'utf8');
      expect(store).not.toContain(SECOND);
      expect(store).not.toContain('API_KEY');

      if (runtime === 'process') {
        // Unsetting both: the app restarts without them.
        expect((await runCli(['secret', 'unset', app, 'API_KEY'], opts)).code).toBe(0);
        expect((await runCli(['env', 'unset', app, 'GREETING'], opts)).code).toBe(0);
        expect(await served()).toEqual({ greeting: null, apiKey: null });
        const gone = await runCli(['secret', 'unset', app, 'API_KEY'], opts);
        expect(gone.code).toBe(2);
        expect(gone.stderr).toMatch(/has no secret API_KEY/);
        // A key that is not the one the store was written with: a clear error, no value in it.
        expect((await runWithInput(['secret', 'set', app, 'API_KEY'], FIRST, opts)).code).toBe(0);
        writeFileSync(join(opts.home, 'keys', 'secrets.key'), Buffer.alloc(32, 7).toString('base64'));
        const wrongKey = await runWithInput(['secret', 'set', app, 'OTHER_KEY'], SECOND, opts);
        expect(wrongKey.code).toBe(2);
        expect(wrongKey.stderr).toMatch(/does not open with the key .*secrets\.key/);
        expect(wrongKey.stderr + wrongKey.stdout).not.toContain(FIRST);
      }
    } finally {
      const deleted = await runCli(['delete', app], opts);
      expect(deleted.code, deleted.stdout + deleted.stderr).toBe(0);
    }
  }, 240_000);
});

describe('settings and secrets refused at the edge', () => {
  const opts = tempHome('slipway-settings-bad-');
  homes.push(opts.cwd);
  writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');

  it.each([
    [['env', 'set', 'some-app', 'lower=1'], /"lower" is not a setting name .*upper-case letters/],
    [['env', 'set', 'some-app', 'PORT=1'], /Slipway sets PORT, .* itself/],
    [['env', 'set', 'some-app', 'NOEQUALS'], /"NOEQUALS" is not NAME=value/],
    [['secret', 'set', 'some-app', 'API_KEY=sk-on-the-command-line'], /never taken from the command line/],
    [['secret', 'set', 'some-app', 'API_KEY', 'sk-on-the-command-line'], /never taken from the command line/],
    [['env', 'unset', 'some-app', '1BAD'], /not a setting name/],
  ])('slipway %j exits 2 saying what to fix', async (args, message) => {
    const result = await runCli(args, opts);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('sk-on-the-command-line');
  });

  it('a secret for an app that does not exist is refused as not found', async () => {
    const missing = await runWithInput(['secret', 'set', 'nowhere', 'API_KEY'], FIRST, opts);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no app named 'nowhere'/);
  });
});
