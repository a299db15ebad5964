import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenPodman } from '../support/broken-podman.ts';
import { cliEnv, REPO_ROOT, runCli, tempHome } from '../support/cli.ts';

/** Runs ./scripts/demo in a fresh home and checks the URL it prints answers with the timer. */
async function demo(path?: (cwd: string) => string): Promise<string> {
  const { home, cwd } = tempHome('slipway-demo-');
  const env = cliEnv(home, path ? { PATH: path(cwd) } : {});
  const output = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'scripts', 'demo'), [], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
  try {
    expect(output.code, output.out).toBe(0);
    const url = output.out.match(/url\s+(http:\/\/\S+)/)?.[1];
    expect(url, output.out).toBeDefined();
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/Pomodoro Timer/);
    return output.out;
  } finally {
    await runCli(['delete', 'pomodoro-timer-dark-theme'], { home, cwd, env: { PATH: env.PATH! } });
  }
}

/** This machine's PATH with every program but podman: a machine where podman was never installed. */
function pathWithoutPodman(cwd: string): string {
  const bin = join(cwd, 'bin-without-podman');
  mkdirSync(bin);
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (!dir || !existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name === 'podman' || existsSync(join(bin, name))) continue;
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  return bin;
}

describe('the README\'s first command (./scripts/demo)', () => {
  it('creates the example app on the embedded default and prints a URL that answers 200', async () => {
    await demo();
  });

  it('works on a machine without podman', async () => {
    const out = await demo(pathWithoutPodman);
    expect(out).not.toMatch(/podman/);
  });

  it('works on a machine whose podman cannot run containers (catatonit left out), saying so', async () => {
    const out = await demo((cwd) => brokenPodman(join(cwd, 'bin')).path);
    expect(out).toMatch(/process: podman is installed but cannot run containers/);
  });
});
