import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempHome } from '../support/cli.ts';
import { jsonOf, readEvents, startServer, type RunningServer } from '../support/serve.ts';

const run = promisify(execFile);
const { home, cwd } = tempHome('slipway-serve-readme-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ home, cwd });
});

afterAll(async () => {
  await server?.stop();
});

/** The README's curl walk through the API, as a user copies it. */
function readmeApiScript(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const script = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('S=${SLIPWAY_SERVER'));
  if (!script) throw new Error('README.md has no curl walk through the API');
  return script;
}

describe("the README's API examples", () => {
  it('run as written against slipway serve: create, follow, read, resume, cancel, delete, health', async () => {
    const { stdout } = await run('bash', ['-e', '-o', 'pipefail', '-c', readmeApiScript()], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SLIPWAY_SERVER: server.url } });
    // The event stream ran to the end of the create.
    expect(stdout).toMatch(/^event: run:end\ndata: \{"type":"run:end","runId":"run-\d{14}-[a-z0-9]{6}","status":"succeeded"\}$/m);
    expect(stdout).toContain('"app":"band-page","kind":"create","status":"succeeded"');
    // Cancelling the run that ended is a problem; the delete is accepted; health and metrics answer.
    expect(stdout).toMatch(/"status":409,"detail":"run run-\d{14}-[a-z0-9]{6} has already succeeded"/);
    expect(stdout).toMatch(/HTTP\/1\.1 202 Accepted\r\n/);
    expect(stdout).toMatch(/^location: \/v1\/runs\/run-\d{14}-[a-z0-9]{6}\r?$/im);
    expect(stdout).toContain('{"status":"ok"}');
    expect(stdout).toMatch(/^slipway_runs_total\{kind="create",outcome="succeeded"\} 1$/m);
    expect(stdout).toContain('"openapi":"3.1.0"');

    const { runs } = await jsonOf(fetch(`${server.url}/v1/runs?app=band-page&limit=1`));
    expect(runs[0]).toMatchObject({ kind: 'delete' });
    const end = (await readEvents(`${server.url}/v1/runs/${runs[0].runId}/events`)).at(-1)!;
    expect(JSON.parse(end.data)).toMatchObject({ type: 'run:end', status: 'succeeded' });
  });
});
