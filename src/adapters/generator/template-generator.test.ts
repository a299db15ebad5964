import { execFile } from 'node:child_process';
import { mkdtemp, cp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AppSpec, InputError, assertSafeRelativePath } from '../../domain/index.ts';
import { writeApp } from './app-harness.ts';
import { listTemplates } from './template-manifest.ts';
import { readTemplateSources } from './template-parts.ts';
import { placeholdersIn } from './template-render.ts';
import { TemplateGenerator } from './template-generator.ts';

const templatesDir = fileURLToPath(new URL('../../../templates/', import.meta.url));
const generator = new TemplateGenerator({ templatesDir });
const IDS = ['form', 'guestbook-postgres', 'link-dashboard', 'notes-api', 'pastebin', 'shortener', 'static-site', 'status-page', 'timer'];

describe('the bundled templates', () => {
  it('are the nine expected ones, each with a valid manifest', async () => {
    const templates = await listTemplates(templatesDir);
    expect(templates.map((t) => t.id)).toEqual(IDS);
    for (const t of templates) expect(t.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each(IDS)('%s: runnable with its declared dependencies only (none but for a database driver), and every placeholder is declared', async (id) => {
    const [manifest] = (await listTemplates(templatesDir)).filter((t) => t.id === id);
    const files = await readTemplateSources(templatesDir, id);
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['server.js', 'package.json', 'README.md', '.gitignore']));
    const pkg = JSON.parse(files.find((f) => f.path === 'package.json')!.content.replace(/\{\{\w+\}\}/g, 'x'));
    expect(pkg).toMatchObject({ type: 'module', scripts: { start: 'node server.js' } });
    // Only an app with a database needs a package (its driver, pinned); the others run on Node's built-ins without npm install.
    const dependencies = Object.keys(pkg.dependencies ?? {});
    expect(dependencies).toEqual(manifest!.needs?.database ? ['postgres'] : []);
    for (const version of Object.values<string>(pkg.dependencies ?? {})) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const file of files) {
      for (const name of placeholdersIn(file.content)) expect(manifest!.parameters, `${file.path} uses ${name}`).toHaveProperty(name);
      for (const [, spec] of file.content.matchAll(/^import .* from '([^']+)';$/gm)) expect(dependencies.includes(spec!) || spec!.startsWith('node:'), spec).toBe(true);
    }
  });

  it.each(IDS)('%s: declares as needs exactly what its files read from the environment besides what Slipway sets', async (id) => {
    const [manifest] = (await listTemplates(templatesDir)).filter((t) => t.id === id);
    const read = new Set((await readTemplateSources(templatesDir, id)).flatMap((f) => [...f.content.matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!)));
    for (const name of ['PORT', 'HOST', 'DATA_DIR']) read.delete(name);
    // Slipway sets DATABASE_URL for an app that needs a database.
    if (manifest!.needs?.database) read.delete('DATABASE_URL');
    const declared = [...(manifest!.needs?.settings ?? []), ...(manifest!.needs?.secrets ?? [])].map((n) => n.name);
    expect(declared.sort()).toEqual([...read].sort());
  });

  it('passes a template\'s needs into the plan and the spec', async () => {
    const plan = await generator.plan({ description: 'a contact form', template: 'form' });
    expect(plan.needs.secrets?.map((s) => s.name)).toEqual(['ADMIN_PASSWORD']);
    const { spec } = await generator.generate(plan, { name: 'contact', description: 'a contact form' });
    expect(spec.needs).toEqual(plan.needs);
    expect(AppSpec.parse(spec)).toEqual(spec);
    const timer = await generator.generate(await generator.plan({ description: 'a timer', template: 'timer' }), { name: 't', description: 'a timer' });
    expect(timer.spec.needs).toBeUndefined();
  });

  it('refuses a template whose needs name what Slipway sets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-templates-'));
    await cp(join(templatesDir, 'form'), join(dir, 'form'), { recursive: true });
    const file = join(dir, 'form', 'template.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...manifest, needs: { settings: [{ name: 'DATA_DIR', description: 'where data goes' }] } }));
    await expect(new TemplateGenerator({ templatesDir: dir }).plan({ description: 'a form', template: 'form' })).rejects.toThrow(/declares needs Slipway cannot wire: dropped setting "DATA_DIR": Slipway sets/);
  });
});

describe('TemplateGenerator.plan', () => {
  it('plans a dark pomodoro timer', async () => {
    const plan = await generator.plan({ description: 'a pomodoro timer with a dark theme' });
    expect(plan).toMatchObject({
      runtime: 'static', title: 'Pomodoro Timer', persistent: false, port: 8080, generator: { kind: 'template' },
      template: { id: 'timer', version: '1.1.0', chosenBy: 'scorer', score: 6, matched: ['pomodoro', 'timer'] },
    });
    expect(plan.template.params).toMatchObject({ title: 'Pomodoro Timer', theme: 'dark', workMinutes: '25', mode: 'pomodoro', countdownTo: '' });
    expect(plan.template.candidates).toHaveLength(IDS.length);
  });

  it('plans the timer a request asks for, with the date a countdown runs to', async () => {
    const countdown = await generator.plan({ description: 'a countdown to our launch on June 12 2027' });
    expect(countdown.template).toMatchObject({ id: 'timer', params: { mode: 'countdown', countdownTo: '2027-06-12' } });
    const { files } = await generator.generate(countdown, { name: 'launch', description: 'a countdown' });
    const page = files.find((f) => f.path === 'public/index.html')!.content;
    expect(page).toContain('<body data-timer="countdown"');
    expect(page).toContain('data-default="2027-06-12"');
    expect((await generator.plan({ description: 'a stopwatch for my running laps' })).template.params).toMatchObject({ mode: 'stopwatch', countdownTo: '' });
  });

  it('honours --template and refuses unknown ids', async () => {
    expect(await generator.plan({ description: 'a pomodoro timer', template: 'notes-api' })).toMatchObject({ template: { id: 'notes-api', score: null, chosenBy: 'flag' }, runtime: 'node', persistent: true });
    await expect(generator.plan({ description: 'x', template: 'nope' })).rejects.toThrow(InputError);
    await expect(generator.plan({ description: 'x', template: 'nope' })).rejects.toThrow(/known templates: form, guestbook-postgres, link-dashboard, notes-api, pastebin, shortener, static-site, status-page, timer/);
  });

  it('falls back to static-site for gibberish', async () => {
    expect(await generator.plan({ description: 'qwzx vrbl' })).toMatchObject({ template: { id: 'static-site', score: 0, matched: [] } });
  });

  it('refuses an empty description and stops when aborted', async () => {
    await expect(generator.plan({ description: '   ' })).rejects.toThrow(InputError);
    await expect(generator.plan({ description: 'a timer' }, AbortSignal.abort())).rejects.toThrow();
  });
});

describe('TemplateGenerator.generate', () => {
  it('returns the spec and sorted, safe, POSIX paths', async () => {
    const plan = await generator.plan({ description: 'a todo list' });
    const { spec, files } = await generator.generate(plan, { name: 'todo-list', description: 'a todo list' });
    expect(AppSpec.parse(spec)).toEqual({
      name: 'todo-list', description: 'a todo list', template: 'notes-api', templateVersion: '1.0.1',
      runtime: 'node', port: 8080, persistent: true, command: ['node', 'server.js'],
    });
    const paths = files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    for (const path of paths) expect(assertSafeRelativePath(path)).toBe(path);
    expect(JSON.parse(files.find((f) => f.path === 'package.json')!.content)).toMatchObject({ name: 'todo-list', description: 'A todo list.' });
    expect(files.some((f) => f.content.includes('{{'))).toBe(false);
  });

  it('marks static templates as not persistent', async () => {
    const plan = await generator.plan({ description: 'a timer' });
    expect((await generator.generate(plan, { name: 't', description: 'a timer' })).spec).toMatchObject({ runtime: 'static', persistent: false });
  });

  it('is deterministic: the same input gives the same bytes', async () => {
    const description = 'a contact form for my band, in purple';
    const a = await generator.generate(await generator.plan({ description }), { name: 'band', description });
    const b = await generator.generate(await generator.plan({ description }), { name: 'band', description });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('puts the dark theme colours into the stylesheet', async () => {
    const plan = await generator.plan({ description: 'a pomodoro timer with a dark theme' });
    const { files } = await generator.generate(plan, { name: 'pomodoro', description: 'x' });
    const css = files.find((f) => f.path === 'public/styles.css')!.content;
    expect(css).toContain('color-scheme: dark;');
    expect(css).toContain(`--bg: ${plan.template.params['backgroundColor']};`);
    expect(files.find((f) => f.path === 'public/index.html')!.content).toContain('<title>Pomodoro Timer</title>');
  });

  it('refuses plans naming a template that does not exist or a path', async () => {
    const plan = await generator.plan({ description: 'a timer' });
    await expect(generator.generate({ ...plan, template: { ...plan.template, id: '../../etc' } }, { name: 'x', description: 'x' })).rejects.toThrow(InputError);
    await expect(generator.generate({ ...plan, template: { ...plan.template, id: 'gone' } }, { name: 'x', description: 'x' })).rejects.toThrow(/no template 'gone'/);
    await expect(generator.generate({ ...plan, template: { ...plan.template, params: { ...plan.template.params, accentColor: 'red' } } }, { name: 'x', description: 'x' })).rejects.toThrow(/accentColor/);
  });

  it('reads templates from disk on each call (an edited template is picked up)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-templates-'));
    await cp(join(templatesDir, 'static-site'), join(dir, 'static-site'), { recursive: true });
    await cp(join(templatesDir, '_parts'), join(dir, '_parts'), { recursive: true });
    const local = new TemplateGenerator({ templatesDir: dir });
    const plan = await local.plan({ description: 'a page' });
    const index = join(dir, 'static-site', 'files', 'public', 'index.html');
    await writeFile(index, (await readFile(index, 'utf8')).replace('Get in touch', 'Say hello'));
    const { files } = await local.generate(plan, { name: 'p', description: 'a page' });
    expect(files.find((f) => f.path === 'public/index.html')!.content).toContain('Say hello');
  });
});

describe('hostile descriptions', () => {
  const description = `a page "</title><script>alert('t')</script>" <img src=x onerror=alert(1)> ' \` \${process.exit(7)} \\ "; process.exit(3); //`;

  it.each(IDS)('%s: nothing injected, every JS file still parses, every JSON file still reads', async (id) => {
    const plan = await generator.plan({ description, template: id });
    expect(plan.template.params['title']).toContain('<script>');
    const { files } = await generator.generate(plan, { name: 'hostile', description });
    for (const file of files) {
      expect(file.content).not.toMatch(/<script>alert|<img src=x/);
      if (file.path.endsWith('.json')) expect(() => JSON.parse(file.content)).not.toThrow();
    }
    const sources = await readTemplateSources(templatesDir, id);
    for (const file of files.filter((f) => f.path.endsWith('.html'))) {
      const source = sources.find((s) => s.path === file.path)!.content;
      expect(file.content.match(/<script/g)?.length ?? 0).toBe(source.match(/<script/g)?.length ?? 0);
    }
    const dir = await writeApp(files);
    for (const file of files.filter((f) => f.path.endsWith('.js'))) {
      await promisify(execFile)(process.execPath, ['--check', join(dir, file.path)]);
    }
    expect(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).description).toBe(plan.template.params['description']);
  });
});

describe('composed apps', () => {
  it('a template that fits well wins; else a request naming things to keep is composed; else the scorer stands', async () => {
    expect((await generator.plan({ description: 'a pomodoro timer with a dark theme' })).template.id).toBe('timer');
    expect((await generator.plan({ description: 'a todo list' })).template.id).toBe('notes-api');
    expect((await generator.plan({ description: 'a landing page for my bakery' })).template.id).toBe('static-site');
    const kanban = await generator.plan({ description: 'a kanban board for chores' });
    // notes-api matched "chores", but not strongly enough to beat a board of chores.
    expect(kanban.template).toMatchObject({ id: 'composed', chosenBy: 'scorer', score: 3, matched: ['chores'] });
    expect(kanban.template.explanation).toBe('no template fitted well (best notes-api, score 3); composed an app that keeps chores (title: text*, assignee: text, due: date, done: checkbox, status: text*); views list, board');
    expect(kanban.composition?.views).toEqual(['list', 'board']);
    expect(kanban).toMatchObject({ persistent: true, runtime: 'node', title: 'Kanban Board for Chores' });
    expect(kanban.features).toEqual(['a list of chores with search and sort; add, edit and delete', 'a board with columns To do, Doing, Done']);
    expect(kanban.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/items', 'POST /api/items', 'PUT /api/items/:id', 'DELETE /api/items/:id']);
    expect((await generator.plan({ description: 'zzz qqq' })).template.id).toBe('static-site');
  });

  it('does not count the words naming fields for a template: a cheese list with tasting notes is not a notes app', async () => {
    const cheese = await generator.plan({ description: 'a cheese list with origin, price and tasting notes' });
    expect(cheese.template).toMatchObject({ id: 'composed', score: 4, matched: ['notes', 'list'] });
    expect(cheese.template.explanation).toMatch(/^no template fitted well \(best notes-api, score 4, 1 without the words naming fields\); composed an app that keeps cheeses \(name: text\*, origin: text, price: number, tastingNotes: longtext, tags: tags\)/);
    // Notes asked for as the app, with fields of their own, are still the notes app.
    expect((await generator.plan({ description: 'a notes app with tags and reminders' })).template.id).toBe('notes-api');
  });

  it('--template names a template over a composition, and --template composed composes what the words keep or says what to write', async () => {
    const forced = await generator.plan({ description: 'a recipe box', template: 'notes-api' });
    expect(forced.template.id).toBe('notes-api');
    expect(forced.composition).toBeUndefined();
    const composed = await generator.plan({ description: 'a todo list', template: 'composed' });
    expect(composed.template).toMatchObject({ id: 'composed', chosenBy: 'flag', score: null });
    expect(composed.composition?.entity.name).toBe('task');
    const refused = await generator.plan({ description: 'a pomodoro timer', template: 'composed' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as InputError).message).toBe('the request names nothing to keep, so there is no app to compose');
  });

  it('generates the composed app, deterministically, with a spec Slipway can run', async () => {
    const plan = await generator.plan({ description: 'a weight log in dark mode' });
    const app = { name: 'weight-log', description: 'a weight log in dark mode' };
    const first = await generator.generate(plan, app);
    expect(AppSpec.parse(first.spec)).toMatchObject({ name: 'weight-log', template: 'composed', templateVersion: '1.0.2', runtime: 'node', persistent: true, command: ['node', 'server.js'] });
    expect(await generator.generate(structuredClone(plan), app)).toEqual(first);
    expect(first.files.find((f) => f.path === 'public/styles.css')!.content).toContain('color-scheme: dark;');
    expect(first.files.find((f) => f.path === 'public/app.js')!.content).toContain('function renderChart()');
    const { composition: _dropped, ...broken } = plan;
    await expect(generator.generate(broken, app)).rejects.toThrow('is for a composed app but says nothing about what it keeps');
  });

  it('a later change re-renders it with a new title or theme and keeps what it keeps', async () => {
    const plan = await generator.plan({ description: 'a recipe box' });
    const app = { name: 'recipes', description: 'a recipe box' };
    const current = await generator.generate(plan, app);
    const changed = await generator.change(plan, app, current, 'set the title to "Family Recipes" and make it dark');
    expect(changed.plan).toMatchObject({ title: 'Family Recipes', composition: plan.composition, template: { id: 'composed', params: { theme: 'dark' } } });
    const page = changed.files.find((f) => f.path === 'public/index.html')!.content;
    expect(page).toContain('<title>Family Recipes</title>');
    expect(page).toContain('<label for="field-ingredients">Ingredients</label>');
    await expect(generator.change(plan, app, current, 'add a photo upload')).rejects.toThrow('needs a model');
  });

  it('a later change corrects what it keeps and shows: fields and views added or removed', async () => {
    const plan = await generator.plan({ description: 'a recipe box' });
    const app = { name: 'recipes', description: 'a recipe box' };
    const current = await generator.generate(plan, app);
    const changed = await generator.change(plan, app, current, 'add a rating and add a random pick, remove the source field and make it dark');
    expect(changed.plan.composition).toMatchObject({ views: ['list', 'random'] });
    expect(changed.plan.composition!.entity.fields.map((f) => f.name)).toEqual(['name', 'ingredients', 'steps', 'tags', 'rating']);
    expect(changed.plan.features).toEqual(['a list of recipes with search and sort; add, edit and delete', 'a random pick among the recipes']);
    expect(changed.plan.template.params['theme']).toBe('dark');
    expect(changed.plan.template.explanation).toMatch(/; changed: added rating \(number\); added a random pick; removed source$/);
    const page = changed.files.find((f) => f.path === 'public/index.html')!.content;
    expect(page).toContain('<label for="field-rating">Rating</label>');
    expect(page).not.toContain('field-source');
    expect(page).toContain('Pick at random');
    // A part it cannot do is named, and nothing changes.
    await expect(generator.change(plan, app, current, 'add a rating and a photo upload button')).rejects.toThrow('cannot make "add a rating and a photo upload button" happen: it changes a composed app\'s fields, views, board columns, title, theme and colours only');
  });
});
