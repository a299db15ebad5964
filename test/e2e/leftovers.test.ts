import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempHome } from '../support/cli.ts';
import { readFixture, startLlmServer, type LlmServer } from '../support/llm-server.ts';
import { processRunning } from '../support/wait.ts';

const KEY = 'sk-local-test-key-0123456789';
let server: LlmServer;

beforeAll(async () => {
  server = await startLlmServer({ format: 'openai', apiKey: KEY });
});
afterAll(async () => {
  await server?.close();
});

/** The recorded app, except that /healthz gives no answer while `hold` exists: verification waits on a running app. */
function holdingFiles(hold: string) {
  const completion = readFixture('openai/files.json');
  const call = completion.choices[0].message.tool_calls[0];
  const args = JSON.parse(call.function.arguments);
  for (const file of args.files) {
    if (file.path !== 'server.js') continue;
    file.content = file.content.replace(
      "if (pathname === '/healthz')",
      `if (pathname === '/healthz' && (await import('node:fs')).existsSync(${JSON.stringify(hold)})) return;\n  if (pathname === '/healthz')`,
    );
  }
  call.function.arguments = JSON.stringify(args);
  return completion;
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && processRunning(pid); i++) await delay(100);
  return !processRunning(pid);
}

/**
 * Runs `create` until the app being verified runs (its progress shows generation done, and the
 * sandboxed app is written down under $SLIPWAY_HOME), then kills the CLI with SIGKILL.
 * Returns the run id and the pid of the app left running.
 */
async function createKilledInVerify(name: string) {
  const opts = tempHome('slipway-leftovers-');
  writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
  const hold = join(opts.cwd, 'hold');
  writeFileSync(hold, '');
  server.reply({ fixture: 'openai/plan.json' }, { body: holdingFiles(hold) }, { fixture: 'openai/repair.json' });
  const env = { SLIPWAY_LLM_BASE_URL: server.url, SLIPWAY_LLM_API_KEY: KEY, SLIPWAY_LLM_MODEL: 'gpt-4.1' };
  const child = spawnCli(['create', 'a guestbook', '--name', name], { ...opts, env });
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.resume();
  const started = join(opts.home, 'run', 'started');
  let pid: number | undefined;
  for (let i = 0; i < 300 && pid === undefined; i++) {
    await delay(100);
    if (!/✓ Generate the source/.test(stdout)) continue;
    const entries = existsSync(started) ? readdirSync(started).filter((f) => f.endsWith('.json')) : [];
    const app = entries.map((f) => JSON.parse(readFileSync(join(started, f), 'utf8')) as { pid: number; command: string }).find((e) => e.command.endsWith('server.js'));
    pid = app?.pid;
  }
  expect(pid, stdout).toBeDefined();
  expect(stdout).not.toMatch(/Verify the app starts/); // verification had not ended
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('close', resolve));
  const runId = /\((run-[a-z0-9-]+)\)/.exec(stdout)?.[1];
  expect(runId, stdout).toBeDefined();
  expect(processRunning(pid!)).toBe(true);
  return { opts: { ...opts, env }, hold, pid: pid!, runId: runId! };
}

describe('an app being verified when Slipway is killed', () => {
  it('is stopped by slipway doctor, which says so', async () => {
    const { opts, pid } = await createKilledInVerify('left-doctor');
    try {
      const doctor = await runCli(['doctor'], opts);
      expect(doctor.stdout).toMatch(new RegExp(`leftovers\\s+stopped 1 process\\(es\\) an interrupted run had left running: ${pid} \\(.*server\\.js\\)`));
      expect(await gone(pid)).toBe(true);
      expect((await runCli(['doctor'], opts)).stdout).toMatch(/leftovers\s+none/);
    } finally {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* stopped */ }
    }
  });

  it('is stopped by slipway resume, which then finishes the run', async () => {
    const { opts, hold, pid, runId } = await createKilledInVerify('left-resume');
    try {
      rmSync(hold);
      const resumed = await runCli(['resume', runId], opts);
      expect(await gone(pid)).toBe(true);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    } finally {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* stopped */ }
      await runCli(['delete', 'left-resume'], opts);
    }
  });
});
