/**
 * Composed apps, generated and run for real: `node server.js` on a loopback port with nothing
 * installed, talked to over HTTP the way their page does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Composition } from '../../../domain/index.ts';
import { startApp, stopAllApps, writeApp } from '../app-harness.ts';
import { readTemplateParts } from '../template-parts.ts';
import { placeholdersIn } from '../template-render.ts';
import { composeApp } from './compose-app.ts';
import { readRequest } from './read-request.ts';

afterEach(stopAllApps);

const json = (method: string, body: unknown) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
/** The templates' shared parts, which the composed app's server, page head and styles are built from. */
const PARTS = await readTemplateParts(fileURLToPath(new URL('../../../../templates/', import.meta.url)));
const OPTIONS = { title: 'Recipe Box', appName: 'recipe-box', theme: 'light' } as const;

async function run(composition: Composition, dataDir?: string) {
  const dir = await writeApp(composeApp(composition, OPTIONS, PARTS));
  return { dir, app: await startApp(dir, dataDir ? { DATA_DIR: dataDir } : {}) };
}

describe('composeApp', () => {
  it('writes a server, a page, its script and styles, a README and a package.json, with every placeholder filled', () => {
    const files = composeApp(readRequest('a recipe box')!, OPTIONS, PARTS);
    expect(files.map((f) => f.path)).toEqual(['README.md', 'package.json', 'public/app.js', 'public/index.html', 'public/styles.css', 'server.js']);
    for (const file of files) expect(placeholdersIn(file.content), file.path).toEqual([]);
    expect(JSON.parse(files.find((f) => f.path === 'package.json')!.content)).toMatchObject({ name: 'recipe-box', type: 'module', scripts: { start: 'node server.js' } });
    const page = files.find((f) => f.path === 'public/index.html')!.content;
    expect(page).toContain('<title>Recipe Box</title>');
    // Every field has a labelled input of its type.
    expect(page).toContain('<label for="field-ingredients">Ingredients</label><textarea id="field-ingredients"');
    expect(page).toContain('<input id="field-source" name="source" type="url"');
    // Stored data reaches the page as text only.
    expect(files.find((f) => f.path === 'public/app.js')!.content).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML/);
    expect(page).toContain('<h2 id="form-heading">Add a recipe</h2>');
    // "an" before a vowel, in the page and in the script that puts the heading back after an edit.
    const ideas = composeApp(readRequest('a list of ideas')!, OPTIONS, PARTS);
    expect(ideas.find((f) => f.path === 'public/index.html')!.content).toContain('<h2 id="form-heading">Add an idea</h2>');
    expect(ideas.find((f) => f.path === 'public/app.js')!.content).toContain('const ADD_HEADING = "Add an idea";');
  });

  it('gives the same bytes for the same composition and options, and a dark stylesheet for a dark theme', () => {
    const composition = readRequest('a weight log with a chart')!;
    expect(composeApp(composition, OPTIONS, PARTS)).toEqual(composeApp(structuredClone(composition), { ...OPTIONS }, PARTS));
    const css = composeApp(composition, { ...OPTIONS, theme: 'dark' }, PARTS).find((f) => f.path === 'public/styles.css')!.content;
    expect(css).toContain('color-scheme: dark;');
  });

  it('includes a section and a script part per view asked for, and no other', () => {
    const board = composeApp(readRequest('a kanban board for chores')!, OPTIONS, PARTS);
    const page = board.find((f) => f.path === 'public/index.html')!.content;
    expect(page).toContain('id="board"');
    expect(page).toContain('<select id="field-status" name="status" required><option>To do</option><option>Doing</option><option>Done</option></select>');
    expect(page).not.toContain('id="chart"');
    expect(page).not.toContain('id="calendar"');
    const chart = composeApp(readRequest('an expense tracker')!, OPTIONS, PARTS).find((f) => f.path === 'public/app.js')!.content;
    expect(chart).toContain('function renderChart()');
    expect(chart).not.toContain('function renderBoard()');
  });

  it('keeps items of every field type, edits and deletes them, and still has them after a restart', async () => {
    const data = await writeApp([]);
    const composition = readRequest('a recipe box')!;
    const first = await run(composition, data);
    let app = first.app;
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const created = await fetch(`${app.url}/api/items`, json('POST', { name: ' Soup ', ingredients: 'leeks\npotatoes', tags: 'winter, quick, winter', source: 'https://example.org/soup' }));
    expect(created.status).toBe(201);
    const soup = (await created.json()) as Record<string, unknown>;
    expect(soup).toMatchObject({ name: 'Soup', ingredients: 'leeks\npotatoes', steps: '', tags: ['winter', 'quick'], source: 'https://example.org/soup' });
    const edited = await fetch(`${app.url}/api/items/${String(soup['id'])}`, json('PUT', { ...soup, name: 'Leek soup', tags: [] }));
    expect(await edited.json()).toMatchObject({ id: soup['id'], name: 'Leek soup', tags: [], createdAt: soup['createdAt'] });
    await fetch(`${app.url}/api/items`, json('POST', { name: 'Bread' }));
    await app.stop();
    app = await startApp(first.dir, { DATA_DIR: data });
    const kept = (await (await fetch(`${app.url}/api/items`)).json()) as Array<Record<string, unknown>>;
    expect(kept.map((i) => i['name'])).toEqual(['Bread', 'Leek soup']);
    expect((await fetch(`${app.url}/api/items/${String(soup['id'])}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${app.url}/api/items/${String(soup['id'])}`, { method: 'DELETE' })).status).toBe(404);
    const saved = JSON.parse(await readFile(join(data, 'items.json'), 'utf8')) as { items: Array<{ name: string }> };
    expect(saved.items.map((i) => i.name)).toEqual(['Bread']);
  });

  it('refuses a value of the wrong type with a 400 that names the field', async () => {
    const { app } = await run(readRequest('a weight log')!);
    const post = (body: unknown) => fetch(`${app.url}/api/items`, json('POST', body));
    const refused = async (body: unknown) => {
      const response = await post(body);
      expect(response.status).toBe(400);
      return ((await response.json()) as { error: string }).error;
    };
    expect(await refused({ weight: 70 })).toBe('Date is required');
    expect(await refused({ date: '2024-13-45', weight: 70 })).toBe('Date must be a date like 2024-05-31');
    expect(await refused({ date: '2024-05-01', weight: 'heavy' })).toBe('Weight (kg) must be a number');
    expect(await refused({ date: '2024-05-01', weight: 70, note: 'x'.repeat(201) })).toBe('Note is longer than 200 characters');
    expect(await refused([1, 2])).toBe('the body is not a JSON object');
    expect((await post({ date: '2024-05-01', weight: '70.5' })).status).toBe(201);
    expect((await fetch(`${app.url}/api/items`, { method: 'POST', body: '{}' })).status).toBe(415);
  });

  it('refuses a link that is not a web address, a checkbox that is not true or false, and a board column it does not have', async () => {
    const { app } = await run(readRequest('a kanban board of bookmarks')!);
    const post = async (body: unknown) => {
      const response = await fetch(`${app.url}/api/items`, json('POST', body));
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await post({ title: 'x', url: 'javascript:alert(1)', status: 'To do' })).toEqual({ status: 400, body: { error: 'URL must start with http:// or https://' } });
    expect(await post({ title: 'x', url: 'not a url', status: 'To do' })).toMatchObject({ status: 400 });
    expect(await post({ title: 'x', url: 'https://a.example', status: 'Someday' })).toEqual({ status: 400, body: { error: 'status must be one of: To do, Doing, Done' } });
    const tasks = await run(readRequest('a kanban board')!);
    const response = await fetch(`${tasks.app.url}/api/items`, json('POST', { title: 'x', done: 'yes', status: 'Done' }));
    expect(await response.json()).toEqual({ error: 'Done must be true or false' });
  });

  it('stores markup as the text it is and serves the page with a policy that forbids inline scripts', async () => {
    const { app } = await run(readRequest('a recipe box')!);
    const script = '<script>alert(1)</script>';
    await fetch(`${app.url}/api/items`, json('POST', { name: script, steps: `<img src=x onerror=alert(1)>` }));
    const [item] = (await (await fetch(`${app.url}/api/items`)).json()) as Array<Record<string, unknown>>;
    expect(item!['name']).toBe(script);
    const page = await fetch(`${app.url}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).not.toContain(script);
    expect((await fetch(`${app.url}/../server.js`)).status).toBe(404);
  });
});
