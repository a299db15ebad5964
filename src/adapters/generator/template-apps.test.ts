/**
 * Every bundled template, generated and run for real: `node server.js` on a loopback port, with
 * nothing installed. These are the apps Slipway ships, so they are tested the way users meet them.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { rawGet, startApp, stopAllApps, writeApp, type TestApp } from './app-harness.ts';
import { TemplateGenerator } from './template-generator.ts';

const generator = new TemplateGenerator({ templatesDir: fileURLToPath(new URL('../../../templates/', import.meta.url)) });

async function generateApp(description: string, template?: string) {
  const plan = await generator.plan(template ? { description, template } : { description });
  const { files } = await generator.generate(plan, { name: 'test-app', description });
  return { plan, dir: await writeApp(files) };
}

async function expectHealthyAndTitled(app: TestApp, title: string) {
  const health = await fetch(`${app.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  const page = await fetch(`${app.url}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await page.text()).toContain(`<title>${title}</title>`);
}

async function expectCleanExit(app: TestApp) {
  expect(await app.stop()).toEqual({ code: 0, signal: null });
  expect(app.output()).toMatch(/SIGTERM received/);
}

interface Note { id: string; text: string; done: boolean; createdAt: string }
interface Submission { id: string; name: string; email: string; message: string; createdAt: string }

/** The body of a response as JSON of a known shape (fetch types it as unknown). */
const jsonOf = async <T>(response: Response | Promise<Response>): Promise<T> => (await (await response).json()) as T;

const json = (method: string, body: unknown) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

afterEach(stopAllApps);

describe.each([
  ['static-site', 'portfolio landing page for Ada', 'Portfolio Landing Page for Ada'],
  ['timer', 'a pomodoro timer with a dark theme', 'Pomodoro Timer'],
])('the %s app', (template, description, title) => {
  it('serves its page, its assets and /healthz, refuses other methods, and stops on SIGTERM', async () => {
    const { plan, dir } = await generateApp(description);
    expect(plan.template.id).toBe(template);
    const app = await startApp(dir);
    await expectHealthyAndTitled(app, title);
    const css = await fetch(`${app.url}/styles.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain(`--accent: ${plan.template.params['accentColor']};`);
    expect((await fetch(`${app.url}/missing.html`)).status).toBe(404);
    expect((await fetch(`${app.url}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${app.url}/`, { method: 'HEAD' })).status).toBe(200);
    await expectCleanExit(app);
  });
});

describe('static file serving refuses to leave public/', () => {
  it.each(['static-site', 'timer', 'notes-api', 'form', 'status-page', 'link-dashboard', 'shortener', 'pastebin'])('%s', async (template) => {
    const { dir } = await generateApp('anything', template);
    await writeFile(join(dir, 'public', '.secret'), 'hidden');
    const app = await startApp(dir);
    for (const path of [
      '/../server.js', '/..%2fserver.js', '/%2e%2e/server.js', '/%2e%2e%2fpackage.json', '/public/../../package.json',
      '/..%5cserver.js', '/.secret', '/%2esecret', '/%00', '/%E0%A4%A', '//etc/passwd', '/../../../../etc/passwd',
    ]) {
      const { status, body } = await rawGet(app.port, path);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(body, path).not.toMatch(/createServer|"scripts"|hidden|root:/);
    }
    expect((await rawGet(app.port, '/styles.css')).status).toBe(200);
    await app.stop();
  });
});

describe('the notes-api app', () => {
  it('creates, lists, ticks off and deletes notes, validates input, and keeps data across a restart', async () => {
    const { plan, dir } = await generateApp('a todo list for groceries');
    expect(plan.template.id).toBe('notes-api');
    const dataDir = join(dir, 'state');
    let app = await startApp(dir, { DATA_DIR: dataDir });
    await expectHealthyAndTitled(app, 'Todo List for Groceries');
    const api = `${app.url}/api/notes`;

    expect(await (await fetch(api)).json()).toEqual([]);
    const created = await fetch(api, json('POST', { text: '  <b>milk</b>  ' }));
    expect(created.status).toBe(201);
    const milk = await jsonOf<Note>(created);
    expect(milk).toMatchObject({ text: '<b>milk</b>', done: false });
    const bread = await jsonOf<Note>(fetch(api, json('POST', { text: 'bread' })));
    expect((await jsonOf<Note[]>(fetch(api))).map((n) => n.text)).toEqual(['bread', '<b>milk</b>']);

    const ticked = await fetch(`${api}/${milk.id}`, json('PATCH', { done: true }));
    expect(await ticked.json()).toMatchObject({ id: milk.id, done: true });
    expect((await fetch(`${api}/${bread.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${api}/${bread.id}`, { method: 'DELETE' })).status).toBe(404);

    expect((await fetch(api, json('POST', { text: '' }))).status).toBe(400);
    expect((await fetch(api, json('POST', { text: 42 }))).status).toBe(400);
    expect((await fetch(api, json('POST', { text: 'x'.repeat(1001) }))).status).toBe(400);
    expect((await fetch(api, json('POST', { text: 'x'.repeat(20_000) }))).status).toBe(413);
    expect((await fetch(api, { method: 'POST', body: 'text=hi' })).status).toBe(415);
    expect((await fetch(api, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{oops' })).status).toBe(400);
    expect((await fetch(`${api}/${milk.id}`, json('PATCH', { done: 'yes' }))).status).toBe(400);
    expect((await fetch(api, { method: 'PUT' })).status).toBe(405);
    const problem = await fetch(`${app.url}/api/other`);
    expect(problem.status).toBe(404);
    expect(await problem.json()).toEqual({ error: 'no such endpoint' });

    // Written atomically: the file is whole JSON and no temporary file is left behind.
    expect(await readdir(dataDir)).toEqual(['notes.json']);
    expect(JSON.parse(await readFile(join(dataDir, 'notes.json'), 'utf8')).notes).toHaveLength(1);
    await expectCleanExit(app);

    app = await startApp(dir, { DATA_DIR: dataDir });
    expect(await jsonOf<Note[]>(fetch(`${app.url}/api/notes`))).toEqual([{ ...milk, done: true }]);
    await expectCleanExit(app);
  });

  it('keeps every note when many are added at once', async () => {
    const { dir } = await generateApp('notes', 'notes-api');
    const app = await startApp(dir, { DATA_DIR: join(dir, 'state') });
    await Promise.all(Array.from({ length: 25 }, (_, i) => fetch(`${app.url}/api/notes`, json('POST', { text: `note ${i}` }))));
    expect(await (await fetch(`${app.url}/api/notes`)).json()).toHaveLength(25);
    expect(JSON.parse(await readFile(join(dir, 'state', 'notes.json'), 'utf8')).notes).toHaveLength(25);
    await app.stop();
  });

  it('uses ./data when DATA_DIR is not set', async () => {
    const { dir } = await generateApp('notes', 'notes-api');
    const app = await startApp(dir);
    await fetch(`${app.url}/api/notes`, json('POST', { text: 'hello' }));
    expect(await readdir(join(dir, 'data'))).toEqual(['notes.json']);
    await app.stop();
  });
});

describe('the form app', () => {
  const valid = { name: 'Ada', email: 'ada@example.com', message: 'Count me in' };

  it('stores valid submissions, rejects invalid ones, and shows them escaped', async () => {
    const { plan, dir } = await generateApp('a contact form for my band');
    expect(plan.template.id).toBe('form');
    const dataDir = join(dir, 'state');
    const app = await startApp(dir, { DATA_DIR: dataDir });
    await expectHealthyAndTitled(app, 'Contact Form for My Band');
    const api = `${app.url}/api/submissions`;

    const created = await fetch(api, json('POST', valid));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject(valid);

    const hostile = { name: '<script>alert(1)</script>', email: 'x@example.com', message: '"><img src=x onerror=alert(2)>' };
    const posted = await fetch(api, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(hostile).toString(), redirect: 'manual' });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/thanks.html');
    expect((await fetch(`${app.url}/thanks.html`)).status).toBe(200);

    for (const [body, field] of [
      [{ ...valid, email: 'not-an-email' }, 'email'],
      [{ ...valid, name: '' }, 'name'],
      [{ ...valid, message: 'x'.repeat(2001) }, 'message'],
      [{ ...valid, name: ['a'] }, 'name'],
    ] as const) {
      const rejected = await fetch(api, json('POST', body));
      expect(rejected.status).toBe(400);
      expect(Object.keys((await jsonOf<{ fields: Record<string, string> }>(rejected)).fields)).toEqual([field]);
    }
    const badForm = await fetch(api, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'name=%3Cscript%3E&email=bad&message=hi' });
    expect(badForm.status).toBe(400);
    expect(await badForm.text()).toContain('Email does not look right');
    expect((await fetch(api, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hi' })).status).toBe(415);
    expect((await fetch(api, json('POST', { ...valid, message: 'x'.repeat(20_000) }))).status).toBe(413);

    const list = await jsonOf<Submission[]>(fetch(api));
    expect(list.map((s) => s.name)).toEqual([hostile.name, 'Ada']);
    const page = await (await fetch(`${app.url}/submissions`)).text();
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(page).not.toMatch(/<script|<img/);
    expect(page).toContain('Submissions · Contact Form for My Band');

    const lines = (await readFile(join(dataDir, 'submissions.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).name)).toEqual(['Ada', hostile.name]);
    await expectCleanExit(app);
  });

  it('guards the submissions with ADMIN_PASSWORD when it is set', async () => {
    const { dir } = await generateApp('a signup form', 'form');
    const app = await startApp(dir, { DATA_DIR: join(dir, 'state'), ADMIN_PASSWORD: 's3cret' });
    expect((await fetch(`${app.url}/api/submissions`, json('POST', valid))).status).toBe(201);
    const denied = await fetch(`${app.url}/submissions`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Basic/);
    const wrong = { Authorization: `Basic ${Buffer.from('me:nope').toString('base64')}` };
    expect((await fetch(`${app.url}/api/submissions`, { headers: wrong })).status).toBe(401);
    const right = { Authorization: `Basic ${Buffer.from('me:s3cret').toString('base64')}` };
    expect(await (await fetch(`${app.url}/api/submissions`, { headers: right })).json()).toHaveLength(1);
    await expectCleanExit(app);
  });

  it('runs with a title full of quotes and markup (the title sits in a JS string in server.js)', async () => {
    const { plan, dir } = await generateApp(`a form called "It's \\ <b>'${'$'}{x}'</b>"`, 'form');
    expect(plan.template.params['title']).toBe(`It's \\ <b>'\${x}'</b>`);
    const app = await startApp(dir, { DATA_DIR: join(dir, 'state') });
    const page = await (await fetch(`${app.url}/submissions`)).text();
    expect(page).toContain('Submissions · It&#39;s \\ &lt;b&gt;&#39;${x}&#39;&lt;/b&gt;');
    await app.stop();
  });
});
