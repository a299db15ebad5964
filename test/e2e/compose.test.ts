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

    // A wrong guess about what it keeps is corrected by a change too; the items stay.
    const fields = await runCli(['change', 'weight-log', 'add a body fat percentage and remove the note field'], opts);
    expect(fields.code, fields.stderr).toBe(0);
    const latest = JSON.parse((await runCli(['status', 'weight-log', '--json'], opts)).stdout);
    const page = await (await fetch(latest.url)).text();
    expect(page).toContain('<label for="field-bodyFatPercentage">Body fat percentage</label>');
    expect(page).not.toContain('field-note');
    expect((await fetch(new URL('/api/items', latest.url), json('POST', { date: '2026-01-09', weight: 70.9, bodyFatPercentage: 18.5 }))).status).toBe(201);
    const refused = await fetch(new URL('/api/items', latest.url), json('POST', { date: '2026-01-10', weight: 70.8, bodyFatPercentage: 'lots' }));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Body fat percentage must be a number');
    expect(await (await fetch(new URL('/api/items', latest.url))).json()).toMatchObject(expect.arrayContaining([expect.objectContaining({ date: '2026-01-02', weight: 71.5 }), expect.objectContaining({ bodyFatPercentage: 18.5 })]));
    // What the offline generator cannot do is refused, and the app stays as it was.
    const photo = await runCli(['change', 'weight-log', 'add a photo upload'], opts);
    expect(photo.code).toBe(2);
    expect(photo.stderr).toContain('needs a model');
  });
});
