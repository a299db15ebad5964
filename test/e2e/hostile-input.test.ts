import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ensureBaseImage } from '../support/base-image.ts';
import { BIN, cliEnv, runCli, type CliResult } from '../support/cli.ts';
import { canDropPrivileges, commitsUnder, treeSnapshot } from '../support/hostile.ts';
import { BUILD_FOLDER_CASES, CLI_CASES, CONFIG_CASES, RENDER_CASES, type Box, type Category, type HostileCase, type Prepared } from './hostile-input.cases.ts';

/**
 * Hostile input, table by table: every case must end with exit 2, a message that names what to
 * fix, no commit in the home's repos, and no change to the folders it could have written to.
 * Most cases call the command line in this process (`main`, as bin/slipway.cjs does); a
 * representative few per category run the real `slipway` command.
 */

const counts: Record<Category, { inProcess: number; spawned: number }> = {
  'cli arguments': { inProcess: 0, spawned: 0 },
  'config files': { inProcess: 0, spawned: 0 },
  'build folders': { inProcess: 0, spawned: 0 },
  'render targets': { inProcess: 0, spawned: 0 },
};

let baseRef = '';
beforeAll(async () => {
  baseRef = (await ensureBaseImage()).hostRef;
});

afterAll(() => {
  const rows = Object.entries(counts).map(([category, n]) => `  ${category.padEnd(15)} ${String(n.inProcess + n.spawned).padStart(4)}  (${n.inProcess} in process, ${n.spawned} spawned)`);
  const total = Object.values(counts).reduce((sum, n) => sum + n.inProcess + n.spawned, 0);
  console.log(`hostile-input cases by category:\n${rows.join('\n')}\n  ${'total'.padEnd(15)} ${String(total).padStart(4)}`);
});

/** A fresh sandbox: a home, an empty slipway.yaml, a small app, a GitOps folder, and files outside them. */
function newBox(): Box {
  const root = mkdtempSync(join(tmpdir(), 'slipway-hostile-'));
  const box: Box = {
    root, home: join(root, 'home'), config: join(root, 'slipway.yaml'), app: join(root, 'app'), out: join(root, 'gitops'),
    outside: join(root, 'outside'), image: join(root, 'image'), baseRef,
  };
  writeFileSync(box.config, '');
  mkdirSync(box.app);
  writeFileSync(join(box.app, 'server.js'), "require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT);\n");
  mkdirSync(box.outside);
  writeFileSync(join(box.outside, 'secret.txt'), 'do not overwrite\n');
  return box;
}

function environment(box: Box, prepared: Prepared): Record<string, string> {
  return { SLIPWAY_CONFIG: box.config, ...prepared.env };
}

/** `main` in this process, with the sandbox's environment and what it prints captured. */
async function runInProcess(argv: string[], box: Box, env: Record<string, string>): Promise<CliResult> {
  const all = { ...cliEnv(box.home, env), OPENAI_API_KEY: undefined, ANTHROPIC_API_KEY: undefined, SLIPWAY_LLM_API_KEY: undefined };
  for (const [name, value] of Object.entries(all)) vi.stubEnv(name, value);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    vi.unstubAllEnvs();
  }
}

/** The real command as the unprivileged user nobody, for what root may always do (read any file, write any folder). */
function runAsNobody(argv: string[], box: Box, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...argv], {
      cwd: box.root, env: cliEnv(box.home, env), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function check(c: HostileCase, via: 'in-process' | 'spawned'): Promise<void> {
  const box = newBox();
  const prepared = c.prepare(box);
  const env = environment(box, prepared);
  const watched = [box.out, box.outside, box.app, ...(prepared.watch ?? [])];
  const before = watched.map(treeSnapshot);
  const commits = commitsUnder(box.home);
  let result: CliResult;
  if (prepared.asNobody) {
    // The home, cache and sandbox must be the user's own for everything but what the case forbids.
    chmodSync(box.root, 0o777);
    result = await runAsNobody(prepared.argv, box, { ...env, SLIPWAY_CACHE: join(box.root, 'cache') });
  } else if (via === 'spawned') result = await runCli(prepared.argv, { home: box.home, cwd: box.root, env });
  else result = await runInProcess(prepared.argv, box, env);
  const output = `${result.stdout}${result.stderr}`;
  expect(result.code, output).toBe(2);
  expect(output).toMatch(prepared.message);
  if (prepared.secret) expect(output).not.toContain(prepared.secret);
  expect(commitsUnder(box.home), 'no commit in the home').toEqual(commits);
  expect(watched.map(treeSnapshot), 'nothing written where the command could write').toEqual(before);
  for (const path of [box.image, ...(prepared.absent ?? [])]) expect(existsSync(path), `${path} was not created`).toBe(false);
  // rm, not fs.rm: it removes paths longer than PATH_MAX and folders the case made unreadable.
  execFileSync('rm', ['-rf', box.root]);
}

const tables: Array<[Category, HostileCase[]]> = [
  ['cli arguments', CLI_CASES],
  ['config files', CONFIG_CASES],
  ['build folders', BUILD_FOLDER_CASES],
  ['render targets', RENDER_CASES],
];

for (const [category, cases] of tables) {
  describe(`${category} (in process)`, () => {
    for (const c of cases.filter((x) => !x.spawnOnly)) {
      counts[category].inProcess++;
      it(c.label, () => check(c, 'in-process'));
    }
  });
  describe(`${category} (slipway command)`, () => {
    for (const c of cases.filter((x) => x.spawn || x.spawnOnly)) {
      const skip = c.needsNobody && !canDropPrivileges;
      if (!skip) counts[category].spawned++;
      it.skipIf(skip)(c.label, () => check(c, 'spawned'));
    }
  });
}

describe('the suite', () => {
  it('has at least 300 cases, in every category', () => {
    for (const n of Object.values(counts)) expect(n.inProcess + n.spawned).toBeGreaterThan(25);
    expect(Object.values(counts).reduce((sum, n) => sum + n.inProcess + n.spawned, 0)).toBeGreaterThanOrEqual(300);
  });
});

