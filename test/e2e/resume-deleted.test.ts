import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';

// Resuming a create whose app was deleted since would report (or ship) an app that no longer exists.
const { home, cwd } = tempHome('slipway-resume-deleted-');
const config = join(cwd, 'resume.yaml');
writeFileSync(config, 'local:\n  runtime: process\n');
const opts = { home, cwd, env: { SLIPWAY_CONFIG: config } };
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('resume of a create after its app was deleted', () => {
  it('is refused with exit 2, naming the delete run and how to create the app again', async () => {
    const created = await runCli(['create', 'a pomodoro timer', '--name', 'gone-timer', '--template', 'timer', '--json'], opts);
    expect(created.code).toBe(0);
    const createRun = JSON.parse(created.stdout).runId as string;
    const deleted = await runCli(['delete', 'gone-timer', '--json'], opts);
    expect(deleted.code).toBe(0);
    const deleteRun = JSON.parse(deleted.stdout).runId as string;

    const resumed = await runCli(['resume', createRun], opts);
    expect(resumed.code).toBe(2);
    expect(resumed.stdout).not.toMatch(/Shipped/);
    expect(resumed.stderr).toContain(`error: app 'gone-timer' was deleted by run ${deleteRun} after run ${createRun} started`);
    expect(resumed.stderr).toContain('→ Create it again: slipway create "a pomodoro timer" --name gone-timer');
    const json = await runCli(['resume', createRun, '--json'], opts);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { name: 'ConflictError' } });
    // Nothing was run or recorded again.
    expect(JSON.parse((await runCli(['list', '--json'], opts)).stdout)).toEqual([]);

    // The app made again under the same name: its own run resumes as usual.
    const again = await runCli(['create', 'a pomodoro timer', '--name', 'gone-timer', '--template', 'timer', '--json'], opts);
    expect(again.code).toBe(0);
    const againRun = JSON.parse(again.stdout).runId as string;
    expect((await runCli(['resume', againRun], opts)).code).toBe(0);
    expect((await runCli(['resume', createRun], opts)).code).toBe(2);
    expect((await runCli(['delete', 'gone-timer'], opts)).code).toBe(0);
  });
});
