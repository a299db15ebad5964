/**
 * The status page, link dashboard, shortener and pastebin templates, generated for the requests
 * users type and run for real: `node server.js` on a loopback port, data in a temporary $DATA_DIR,
 * restarted to show the data stays. Path traversal is tested with the other templates in template-apps.test.ts.
 */
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../os/index.ts';
import { startApp, stopAllApps, writeApp, type TestApp } from './app-harness.ts';
import { TemplateGenerator } from './template-generator.ts';

const generator = new TemplateGenerator({ templatesDir: fileURLToPath(new URL('../../../templates/', import.meta.url)) });

async function generateApp(description: string, template?: string) {
  const plan = await generator.plan(template ? { description, template } : { description });
  const { files } = await generator.generate(plan, { name: 'test-app', description });
  return { plan, dir: await writeApp(files) };
}

const jsonOf = async <T>(response: Response | Promise<Response>): Promise<T> => (await (await response).json()) as T;
const json = (method: string, body: unknown) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const errorOf = async (response: Response | Promise<Response>) => {
  const answer = await response;
  return { status: answer.status, error: (await jsonOf<{ error: string }>(answer)).error };
};

async function expectCleanExit(app: TestApp) {
  expect(await app.stop()).toEqual({ code: 0, signal: null });
  expect(app.output()).toMatch(/SIGTERM received/);
}

/** Polls until `check` returns a value (not undefined), for results the server produces on its own clock. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

afterEach(stopAllApps);

describe.each([
  ['status-page', 'an uptime status page for my services', 'Uptime Status Page for My Services'],
  ['link-dashboard', 'a homelab dashboard with links to jellyfin and proxmox', 'Homelab Dashboard'],
  ['shortener', 'a url shortener for my family', 'Url Shortener for My Family'],
  ['pastebin', 'a pastebin for code snippets with a dark theme', 'Pastebin for Code Snippets'],
])('the %s app', (template, description, title) => {
  it('is chosen for a plain request, serves its page and /healthz, writes text only with textContent, and stops on SIGTERM', async () => {
    const { plan, dir } = await generateApp(description);
    expect(plan.template.id).toBe(template);
    const app = await startApp(dir, { DATA_DIR: join(dir, 'state') });
    expect(await jsonOf(fetch(`${app.url}/healthz`))).toEqual({ status: 'ok' });
    const page = await fetch(`${app.url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(`<title>${title}</title>`);
    // Every input has a visible label around it: the page is usable with a screen reader and a keyboard.
    expect(html.match(/<input|<textarea/g)!.length).toBe(html.match(/<label[^>]*>[^<]*<(input|textarea)/g)!.length);
    const css = await (await fetch(`${app.url}/styles.css`)).text();
    expect(css).toContain(`--accent: ${plan.template.params['accentColor']};`);
    expect(css).toContain(`color-scheme: ${plan.template.params['theme']};`);
    const script = await (await fetch(`${app.url}/app.js`)).text();
    expect(script).toContain('textContent');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect((await fetch(`${app.url}/api/nothing`)).status).toBe(404);
    await expectCleanExit(app);
  });
});

it('the pastebin asked for with a dark theme is dark', async () => {
  const { plan } = await generateApp('a pastebin for code snippets with a dark theme');
  expect(plan.template.params['theme']).toBe('dark');
});

interface Check { id: string; name: string; url: string; result: null | { up: boolean; status: number | null; latencyMs: number | null; error: string | null } }

describe('the status-page app', () => {
  let target: Server | undefined;
  afterEach(async () => {
    target?.close();
    target = undefined;
  });

  it('checks URLs on an interval, shows up/down with status code and latency, validates input and keeps the list across a restart', async () => {
    let brokenStatus = 503;
    target = createServer((req, res) => {
      res.statusCode = req.url === '/broken' ? brokenStatus : 200;
      res.end('hi');
    });
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    const closed = `http://127.0.0.1:${await freePort()}/`;

    const { dir } = await generateApp('status page', 'status-page');
    const dataDir = join(dir, 'state');
    let app = await startApp(dir, { DATA_DIR: dataDir, CHECK_INTERVAL_SECONDS: '1' });
    const api = `${app.url}/api/checks`;
    expect(await jsonOf(fetch(api))).toEqual({ intervalSeconds: 1, checks: [] });

    const created = await fetch(api, json('POST', { name: ' Web ', url: `${base}/ok` }));
    expect(created.status).toBe(201);
    const web = await jsonOf<Check>(created);
    expect(web).toMatchObject({ name: 'Web', url: `${base}/ok` });
    const broken = await jsonOf<Check>(fetch(api, json('POST', { name: '<script>alert(1)</script>', url: `${base}/broken` })));
    const gone = await jsonOf<Check>(fetch(api, json('POST', { name: 'Gone', url: closed })));

    const results = () => jsonOf<{ checks: Check[] }>(fetch(api)).then(({ checks }) => new Map(checks.map((c) => [c.id, c])));
    const first = await eventually(async () => {
      const all = await results();
      return [...all.values()].every((c) => c.result) ? all : undefined;
    });
    expect(first.get(web.id)!.result).toMatchObject({ up: true, status: 200, error: null });
    expect(first.get(web.id)!.result!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(first.get(broken.id)).toMatchObject({ name: '<script>alert(1)</script>', result: { up: false, status: 503 } });
    expect(first.get(gone.id)!.result).toMatchObject({ up: false, status: null, latencyMs: null, error: 'ECONNREFUSED' });

    // The server checks again on its own: the broken service recovers and the page says so.
    brokenStatus = 200;
    await eventually(async () => ((await results()).get(broken.id)!.result!.up ? true : undefined));

    expect(await jsonOf(fetch(`${api}/${web.id}`, json('PATCH', { name: 'Website' })))).toMatchObject({ id: web.id, name: 'Website', url: `${base}/ok` });
    expect((await fetch(`${api}/${gone.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${api}/${gone.id}`, { method: 'DELETE' })).status).toBe(404);

    expect(await errorOf(fetch(api, json('POST', { name: 'x', url: 'javascript:alert(1)' })))).toEqual({ status: 400, error: 'url must be a full http:// or https:// address' });
    expect(await errorOf(fetch(api, json('POST', { name: 'x', url: 'ftp://example.com' })))).toMatchObject({ status: 400 });
    expect(await errorOf(fetch(api, json('POST', { name: '', url: base })))).toEqual({ status: 400, error: 'name is required' });
    expect(await errorOf(fetch(api, json('POST', { name: 'x'.repeat(81), url: base })))).toEqual({ status: 400, error: 'name is longer than 80 characters' });
    expect(await errorOf(fetch(api, json('POST', ['x'])))).toEqual({ status: 400, error: 'the body is not a JSON object' });
    expect((await fetch(api, { method: 'POST', body: 'name=x' })).status).toBe(415);
    expect((await fetch(api, json('POST', { name: 'x', url: `${base}/${'a'.repeat(20_000)}` }))).status).toBe(413);
    expect((await fetch(`${api}/${web.id}`, json('PATCH', { url: 'not a url' }))).status).toBe(400);
    expect((await fetch(api, { method: 'PUT' })).status).toBe(405);

    expect(await readdir(dataDir)).toEqual(['checks.json']);
    await expectCleanExit(app);
    app = await startApp(dir, { DATA_DIR: dataDir, CHECK_INTERVAL_SECONDS: '1' });
    const after = await jsonOf<{ checks: Check[] }>(fetch(`${app.url}/api/checks`));
    expect(after.checks.map((c) => c.name)).toEqual(['Website', '<script>alert(1)</script>']);
    await expectCleanExit(app);
  });

  it('checks every minute unless the CHECK_INTERVAL_SECONDS setting says otherwise', async () => {
    const { plan, dir } = await generateApp('status page', 'status-page');
    expect(plan.needs.settings).toEqual([expect.objectContaining({ name: 'CHECK_INTERVAL_SECONDS', default: '60' })]);
    const app = await startApp(dir, { DATA_DIR: join(dir, 'state') });
    expect(await jsonOf(fetch(`${app.url}/api/checks`))).toEqual({ intervalSeconds: 60, checks: [] });
    await app.stop();
    await expect(startApp(dir, { DATA_DIR: join(dir, 'state'), CHECK_INTERVAL_SECONDS: 'soon' })).rejects.toThrow(/CHECK_INTERVAL_SECONDS must be a number of seconds from 1 to 86400 \(it is 'soon'\)/);
  });
});

interface Link { id: string; name: string; url: string; group: string; description: string }

describe('the link-dashboard app', () => {
  it('adds, edits and deletes grouped links, accepts only web addresses, and keeps them across a restart', async () => {
    const { dir } = await generateApp('links to my homelab services', 'link-dashboard');
    const dataDir = join(dir, 'state');
    let app = await startApp(dir, { DATA_DIR: dataDir });
    const api = `${app.url}/api/links`;

    const created = await fetch(api, json('POST', { name: 'Jellyfin', url: 'http://jellyfin.lan:8096', group: 'Media', description: 'Films' }));
    expect(created.status).toBe(201);
    const jellyfin = await jsonOf<Link>(created);
    expect(jellyfin).toMatchObject({ name: 'Jellyfin', url: 'http://jellyfin.lan:8096/', group: 'Media', description: 'Films' });
    const router = await jsonOf<Link>(fetch(api, json('POST', { name: '<img src=x onerror=alert(1)>', url: 'https://192.168.1.1' })));
    expect(router).toMatchObject({ group: 'Links', description: '' });

    expect(await jsonOf(fetch(`${api}/${router.id}`, json('PATCH', { name: 'Router', group: 'Network' })))).toMatchObject({ name: 'Router', group: 'Network', url: 'https://192.168.1.1/' });
    const spare = await jsonOf<Link>(fetch(api, json('POST', { name: 'Spare', url: 'https://spare.lan' })));
    expect((await fetch(`${api}/${spare.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${api}/${spare.id}`, json('PATCH', { name: 'x' }))).status).toBe(404);

    for (const url of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'jellyfin.lan', '']) {
      expect((await fetch(api, json('POST', { name: 'x', url }))).status, url).toBe(400);
    }
    expect(await errorOf(fetch(api, json('POST', { name: 'x', url: 'https://a.lan', group: 'g'.repeat(61) })))).toEqual({ status: 400, error: 'group is longer than 60 characters' });
    expect(await errorOf(fetch(api, json('POST', { name: 'x', url: 'https://a.lan', description: 7 })))).toEqual({ status: 400, error: 'description must be text' });
    expect((await fetch(`${api}/${jellyfin.id}`, json('PATCH', { url: 'javascript:alert(1)' }))).status).toBe(400);

    await expectCleanExit(app);
    app = await startApp(dir, { DATA_DIR: dataDir });
    const kept = await jsonOf<Link[]>(fetch(`${app.url}/api/links`));
    expect(kept.map((l) => [l.group, l.name])).toEqual([['Media', 'Jellyfin'], ['Network', 'Router']]);
    expect(JSON.parse(await readFile(join(dataDir, 'links.json'), 'utf8')).links).toEqual(kept);
    await expectCleanExit(app);
  });
});

interface ShortLink { code: string; url: string; hits: number }

describe('the shortener app', () => {
  it('redirects short codes with 302, counts hits, validates codes and targets, and keeps links and counts across a restart', async () => {
    const { dir } = await generateApp('shorten links', 'shortener');
    const dataDir = join(dir, 'state');
    let app = await startApp(dir, { DATA_DIR: dataDir });
    const api = `${app.url}/api/links`;

    const created = await fetch(api, json('POST', { url: 'https://example.com/a/very/long/path?q=1', code: 'docs' }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ code: 'docs', url: 'https://example.com/a/very/long/path?q=1', hits: 0 });
    const random = await jsonOf<ShortLink>(fetch(api, json('POST', { url: 'https://example.org/' })));
    expect(random.code).toMatch(/^[A-Za-z0-9_-]{6}$/);

    for (let i = 0; i < 2; i++) {
      const visit = await fetch(`${app.url}/docs`, { redirect: 'manual' });
      expect(visit.status).toBe(302);
      expect(visit.headers.get('location')).toBe('https://example.com/a/very/long/path?q=1');
      expect(visit.headers.get('cache-control')).toBe('no-store');
    }
    expect((await fetch(`${app.url}/docs`, { method: 'HEAD', redirect: 'manual' })).status).toBe(302);
    expect((await fetch(`${app.url}/nope`, { redirect: 'manual' })).status).toBe(404);
    expect((await jsonOf<ShortLink[]>(fetch(api))).map((l) => [l.code, l.hits])).toEqual([[random.code, 0], ['docs', 2]]);

    expect(await errorOf(fetch(api, json('POST', { url: 'https://x.org', code: 'docs' })))).toEqual({ status: 409, error: "the code 'docs' is taken; choose another" });
    expect(await errorOf(fetch(api, json('POST', { url: 'https://x.org', code: 'API' })))).toEqual({ status: 400, error: "code 'API' is reserved" });
    for (const code of ['a b', '../x', 'x'.repeat(41), '<script>', 42]) {
      expect((await fetch(api, json('POST', { url: 'https://x.org', code }))).status, String(code)).toBe(400);
    }
    for (const url of ['javascript:alert(1)', '//evil.example', 'mailto:a@b.c']) {
      expect((await fetch(api, json('POST', { url }))).status, url).toBe(400);
    }

    expect(await jsonOf(fetch(`${api}/docs`, json('PATCH', { url: 'https://docs.example.com/' })))).toMatchObject({ code: 'docs', url: 'https://docs.example.com/', hits: 2 });
    expect((await fetch(`${api}/${random.code}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${app.url}/${random.code}`, { redirect: 'manual' })).status).toBe(404);
    // The page's own files are never shadowed: codes cannot hold a dot.
    expect((await fetch(`${app.url}/styles.css`)).status).toBe(200);

    await expectCleanExit(app);
    app = await startApp(dir, { DATA_DIR: dataDir });
    expect((await fetch(`${app.url}/docs`, { redirect: 'manual' })).headers.get('location')).toBe('https://docs.example.com/');
    expect(await jsonOf(fetch(`${app.url}/api/links`))).toMatchObject([{ code: 'docs', hits: 3 }]);
    await expectCleanExit(app);
  });
});

interface Paste { id: string; title: string; text: string; length?: number }

describe('the pastebin app', () => {
  it('keeps pastes with a page and a raw text/plain view, edits and deletes them, and keeps them across a restart', async () => {
    const { dir } = await generateApp('paste bin', 'pastebin');
    const dataDir = join(dir, 'state');
    let app = await startApp(dir, { DATA_DIR: dataDir });
    const api = `${app.url}/api/pastes`;
    const hostile = '<script>alert(1)</script>\n  indented line\n\ttab & "quotes"\n';

    const created = await fetch(api, json('POST', { title: 'Snippet', text: hostile }));
    expect(created.status).toBe(201);
    const paste = await jsonOf<Paste>(created);
    expect(paste).toMatchObject({ title: 'Snippet', text: hostile });
    expect(paste.id).toMatch(/^[A-Za-z0-9_-]{8}$/);
    const untitled = await jsonOf<Paste>(fetch(api, json('POST', { text: 'second' })));
    expect(untitled.title).toBe('Untitled');

    const raw = await fetch(`${app.url}/raw/${paste.id}`);
    expect(raw.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(raw.headers.get('x-content-type-options')).toBe('nosniff');
    expect(raw.headers.get('content-security-policy')).toContain('sandbox');
    expect(await raw.text()).toBe(hostile);
    const page = await fetch(`${app.url}/p/${paste.id}`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).not.toContain('alert(1)');
    expect((await fetch(`${app.url}/p/AAAAAAAA`)).status).toBe(404);
    expect((await fetch(`${app.url}/raw/AAAAAAAA`)).status).toBe(404);

    const list = await jsonOf<Paste[]>(fetch(api));
    expect(list.map((p) => [p.title, p.length, p.text])).toEqual([['Untitled', 6, undefined], ['Snippet', hostile.length, undefined]]);
    expect(await jsonOf(fetch(`${api}/${paste.id}`))).toMatchObject({ title: 'Snippet', text: hostile });

    expect(await jsonOf(fetch(`${api}/${untitled.id}`, json('PATCH', { title: 'Second', text: 'changed' })))).toMatchObject({ title: 'Second', text: 'changed' });
    expect((await fetch(`${api}/${paste.id}`, json('PATCH', { text: '   ' }))).status).toBe(400);
    expect(await errorOf(fetch(api, json('POST', { text: '' })))).toEqual({ status: 400, error: 'text is required' });
    expect(await errorOf(fetch(api, json('POST', { text: 'x'.repeat(100_001) })))).toEqual({ status: 400, error: 'text is longer than 100000 characters' });
    expect((await fetch(api, json('POST', { text: 'x'.repeat(300_000) }))).status).toBe(413);
    expect((await fetch(`${app.url}/raw/${paste.id}`, { method: 'POST' })).status).toBe(405);

    await expectCleanExit(app);
    app = await startApp(dir, { DATA_DIR: dataDir });
    expect(await (await fetch(`${app.url}/raw/${paste.id}`)).text()).toBe(hostile);
    expect((await fetch(`${app.url}/api/pastes/${untitled.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${app.url}/raw/${untitled.id}`)).status).toBe(404);
    expect((await jsonOf<Paste[]>(fetch(`${app.url}/api/pastes`))).map((p) => p.id)).toEqual([paste.id]);
    await expectCleanExit(app);
  });
});
