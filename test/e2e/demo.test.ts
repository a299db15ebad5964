import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, REPO_ROOT, runCli, tempHome } from '../support/cli.ts';

describe('the README\'s first command (./scripts/demo)', () => {
  it('creates the example app on the embedded default and prints a URL that answers 200', async () => {
    const { home, cwd } = tempHome('slipway-demo-');
    const output = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(join(REPO_ROOT, 'scripts', 'demo'), [], { cwd, env: cliEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, out }));
    });
    expect(output.code, output.out).toBe(0);
    const url = output.out.match(/url\s+(http:\/\/\S+)/)?.[1];
    expect(url, output.out).toBeDefined();
    try {
      const response = await fetch(url!);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/Pomodoro Timer/);
    } finally {
      await runCli(['delete', 'pomodoro-timer-dark-theme'], { home, cwd });
    }
  });
});
