import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';

// What `slipway init --target cluster` writes (arm64, for Raspberry Pis) with the base made from this
// machine's Node, which has only this machine's platform: the base cannot serve the build.
describe('a base image without the platform asked for', () => {
  it('fails the run cleanly at image:build with a hint, and the run is recorded as failed', async () => {
    const { home, cwd } = tempHome();
    writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\nimage:\n  base: host\n  platforms: [linux/arm64]\n');
    const opts = { home, cwd };
    const result = await runCli(['create', 'a pomodoro timer', '--template', 'timer'], opts);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed at step image:build: .*linux\/amd64 only; linux\/arm64/);
    expect(result.stderr).toMatch(/→ Use a multi-platform base/);
    expect(result.stderr).toMatch(/slipway resume run-/);
    // A clean report: no stack trace, no unhandled rejection.
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toMatch(/Unhandled|node:internal|triggerUncaughtException/);

    const runs = await runCli(['runs', '--json'], opts);
    const [run] = JSON.parse(runs.stdout);
    expect(run).toMatchObject({ status: 'failed', error: { stepId: 'image:build', name: 'InputError' } });
    expect(run.error.hint).toMatch(/multi-platform base/);
    const list = await runCli(['list', '--json'], opts);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'pomodoro-timer', state: 'failed' })]);
  });
});
