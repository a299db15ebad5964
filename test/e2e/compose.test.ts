/**
 * A composed app through the whole CLI: planned from the words, its plan line naming what it keeps,
 * built, run by the process runtime, answering; changed later with a new title and theme while its
 * items stay.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';

const { home, cwd } = tempHome();
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const opts = { home, cwd };
const created: string[] = [];

afterAll(async () => {
  for (const app of created) await runCli(['delete', app], opts);
});

const json = (method: string, body: unknown) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('slipway create for a request no template fits', () => {
  it('composes the app, says what it keeps, serves it, and a change keeps its items', async () => {
    const result = await runCli(['create', 'a weight log'], opts);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain('composed an app that keeps weigh-ins (date: date*, weight: number*, note: text); views list, chart');
    const status = JSON.parse((await runCli(['status', 'weight-log', '--json'], opts)).stdout);
    created.push('weight-log');
    expect(status).toMatchObject({ name: 'weight-log', template: 'composed' });
    const url: string = status.url;
    expect((await fetch(new URL('/healthz', url))).status).toBe(200);
    expect(await (await fetch(url)).text()).toContain('<title>Weight Log</title>');
    expect((await fetch(new URL('/api/items', url), json('POST', { date: '2026-01-02', weight: 71.5 }))).status).toBe(201);
    expect((await fetch(new URL('/api/items', url), json('POST', { date: 'yesterday', weight: 71.5 }))).status).toBe(400);

    const changed = await runCli(['change', 'weight-log', 'set the title to "Scale" and make it dark', '--json'], opts);
    expect(changed.code, changed.stderr).toBe(0);
    const after = JSON.parse((await runCli(['status', 'weight-log', '--json'], opts)).stdout);
    expect(await (await fetch(after.url)).text()).toContain('<title>Scale</title>');
    expect(await (await fetch(new URL('/styles.css', after.url))).text()).toContain('color-scheme: dark;');
    expect(await (await fetch(new URL('/api/items', after.url))).json()).toMatchObject([{ date: '2026-01-02', weight: 71.5 }]);
  });
});
