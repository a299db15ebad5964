import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBaseImage } from '../support/base-image.ts';
import { REPO_ROOT, runCli, tempHome } from '../support/cli.ts';
import { startRegistry, type RegistryServer } from '../support/registry-server.ts';
import { jsonOf, readEvents, startServer, type RunningServer } from '../support/serve.ts';
import { expectAccessible, launchChromium, screenshots, SCREENSHOTS } from './browser.ts';

/**
 * The web page of `slipway serve` in a real browser (Debian's Chromium through playwright-core)
 * against the real server: one browser for the file, one page per server, reused test to test.
 */

const RUNTIME = 'local:\n  runtime: process\n';
const STEPS = ['version:next', 'app:plan', 'source:generate', 'source:verify', 'source:provenance', 'source:commit', 'image:build', 'manifests:render', 'manifests:commit', 'app:deploy', 'app:await'];
const RUN_PATH = /\/runs\/run-\d{14}-[a-z0-9]{6}$/;
const WAIT = { timeout: 120_000 };

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** Deletes what a failed test left behind, then stops the server. */
async function stopServer(server: RunningServer | undefined, headers: Record<string, string> = {}): Promise<void> {
  if (!server) return;
  const { apps } = await jsonOf(fetch(`${server.url}/v1/apps`, { headers }));
  for (const { app } of apps ?? []) {
    const response = await fetch(`${server.url}/v1/apps/${app}`, { method: 'DELETE', headers });
    if (response.status === 202) await readEvents(`${server.url}${response.headers.get('location')}/events`, { headers });
  }
  expect(await server.stop()).toBe(0);
}

describe('the web page, signed in with an API token', () => {
  const { home, cwd } = tempHome('slipway-browser-');
  writeFileSync(join(cwd, 'slipway.yaml'), RUNTIME);
  let server: RunningServer;
  let token: string;
  let context: BrowserContext;
  let page: Page;
  let app: string;
  /** Every URL the browser asked for in these tests. */
  const requested: string[] = [];

  beforeAll(async () => {
    const created = await runCli(['token', 'create', '--name', 'browser', '--scope', 'admin'], { home, cwd });
    expect(created.code, created.stderr).toBe(0);
    token = created.stdout.trim();
    server = await startServer({ home, cwd });
    // axe-core is injected as a script of the page, which the page's own policy forbids; the
    // policy itself is tested on its own below.
    context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, bypassCSP: true });
    context.on('request', (request) => requested.push(request.url()));
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await stopServer(server, { authorization: `Bearer ${token}` });
  });

  it('sends a visitor without a session to sign-in, refuses a wrong token, and signs in with the right one', async () => {
    await page.goto('/apps');
    await page.waitForURL('**/sign-in');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    await expectAccessible(page, 'the sign-in page');
    await screenshots(page, 'sign-in');

    await page.getByLabel('API token').fill('slw_not-a-token-of-this-server');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBeGreaterThan(0);
    expect(page.url()).toMatch(/\/sign-in$/);

    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expect.poll(() => page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    // The cookie is HttpOnly and strict; nothing is kept in the browser's storage, and no token in the address.
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'slipway_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookie!.value).not.toContain(token);
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    expect(page.url()).not.toContain(token);
  });

  it('refuses a change carried by the session cookie without the CSRF token, from fetch and from a form', async () => {
    const refused = await page.evaluate(async () => {
      const response = await fetch('/v1/apps', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ template: 'timer' }) });
      return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
    });
    expect(refused.status).toBe(403);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body.type).toMatch(/\/csrf$/);
    const form = await context.request.post('/v1/apps', { form: { template: 'timer' } });
    expect(form.status()).toBe(403);
    expect((await form.json()).type).toMatch(/\/csrf$/);
    const { apps } = await jsonOf(fetch(`${server.url}/v1/apps`, { headers: { authorization: `Bearer ${token}` } }));
    expect(apps).toEqual([]);
  });

  it('asks for a pomodoro timer: the name is checked live, every step appears without shifting the page, and the URL is the app', async () => {
    await page.goto('/');
    await expect.poll(() => page.locator('#generator strong').textContent()).toBe('offline templates');
    await expect.poll(() => page.locator('#template option').count()).toBeGreaterThan(1);
    await page.getByRole('combobox', { name: /^Template/ }).selectOption('timer');
    expect(await page.locator('#template-note').textContent()).not.toBe('');
    await page.getByRole('combobox', { name: /^Template/ }).selectOption('');
    await page.getByLabel(/^Name/).fill('Kube-Timer');
    expect(await page.locator('#name-note').textContent()).toContain("'Kube-Timer' is not allowed");
    await page.getByLabel(/^Name/).fill('kube-timer');
    expect(await page.locator('#name-note').textContent()).toContain("reserved prefix 'kube-'");
    expect(await page.getByRole('button', { name: 'Create the app' }).isDisabled()).toBe(true);
    await page.getByLabel(/^Name/).fill('');
    await expectAccessible(page, 'the ask page');
    await screenshots(page, 'ask');

    await page.getByLabel('What should the app do?').fill('a pomodoro timer with a dark theme');
    await page.getByRole('button', { name: 'Create the app' }).click();
    await page.waitForURL(RUN_PATH);
    // Layout shifts from here on, while the timeline fills in, as the browser measures them.
    await page.evaluate(() => {
      (window as any).shifts = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as any[]) if (!entry.hadRecentInput) (window as any).shifts += entry.value;
      }).observe({ type: 'layout-shift', buffered: false });
    });
    const link = page.locator('.outcome .big-link');
    await link.waitFor(WAIT);
    expect(await page.locator('.timeline .step').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-step'), row.getAttribute('data-status')])))
      .toEqual(STEPS.map((step) => [step, 'succeeded']));
    expect(await page.locator('.timeline .step-time').allTextContents()).toEqual(STEPS.map(() => expect.stringMatching(/^\d+(\.\d)? (ms|s)$|^\d+ min/)));
    expect(await page.locator('#run-status').textContent()).toBe('succeeded');
    expect(await page.locator('[role=status]').textContent()).toBe('The run succeeded.');
    expect(await page.evaluate(() => (window as any).shifts)).toBeLessThan(0.01);
    await expectAccessible(page, 'the run page');
    await screenshots(page, 'run-succeeded');
    // The README's two pictures: this page after success, 1280 px wide, light and dark.
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: join(SCREENSHOTS, `readme-run-${colorScheme}.png`) });
      if (process.env.SLIPWAY_README_SCREENSHOTS) {
        mkdirSync(join(REPO_ROOT, 'docs', 'screenshots'), { recursive: true });
        copyFileSync(join(SCREENSHOTS, `readme-run-${colorScheme}.png`), join(REPO_ROOT, 'docs', 'screenshots', `run-${colorScheme}.png`));
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });

    const url = (await link.getAttribute('href'))!;
    app = /^Created (.+)$/.exec((await page.getByRole('heading', { level: 1 }).textContent())!)![1]!;
    expect(app).toBe('pomodoro-timer-dark-theme');
    const appPage = await context.newPage();
    const answer = await appPage.goto(url);
    expect(answer?.status()).toBe(200);
    expect(await appPage.locator('body').innerText()).toMatch(/pomodoro/i);
    await appPage.close();
  });

  it('lists the app, and its page shows its runs, highlighted files, manifests, SLIPWAY.md and streamed logs', async () => {
    await page.goto('/apps');
    const row = page.locator(`tr[data-app="${app}"]`);
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('running');
    expect(await row.locator('td a').textContent()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await row.locator('td').nth(-2).textContent()).toBe('timer');
    expect(await row.locator('td').last().textContent()).toBe('templates');
    await expectAccessible(page, 'the apps page');
    await screenshots(page, 'apps');

    await row.getByRole('link', { name: app }).click();
    await page.waitForURL(`**/apps/${app}`);
    await page.locator('.runs li').first().waitFor();
    expect(await page.locator('.runs li').first().textContent()).toContain('succeeded');
    // Source files, highlighted by highlight.js.
    const source = page.locator('.files[data-repo=source]');
    await source.locator('pre.hljs [class^="hljs-"]').first().waitFor();
    expect(await source.locator('.file-list li').allTextContents()).toEqual(expect.arrayContaining(['SLIPWAY.md']));
    await source.getByRole('button', { name: /\.html$/ }).first().click();
    await expect.poll(() => source.locator('pre.hljs .hljs-tag').count()).toBeGreaterThan(0);
    // The manifests in the GitOps repo.
    const manifests = page.locator('.files[data-repo=gitops]');
    await manifests.locator('pre').first().waitFor();
    expect(await manifests.locator('pre').textContent()).toMatch(/kind: /);
    // SLIPWAY.md, and the log as the app writes it.
    expect(await page.locator('pre.provenance').textContent()).toContain('a pomodoro timer with a dark theme');
    await expect.poll(() => page.locator('pre.logs').textContent(), WAIT).not.toBe('');
    await expectAccessible(page, 'the app page');
    await screenshots(page, 'app');
  });

  it('deletes the app after its name is typed in the confirmation, and it is gone from the list', async () => {
    await page.getByRole('button', { name: `Delete ${app}…` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${app}?` });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Delete', exact: true });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/to confirm/).fill('pomodoro');
    expect(await confirm.isDisabled()).toBe(true);
    await expectAccessible(page, 'the delete dialog');
    await dialog.getByLabel(/to confirm/).fill(app);
    await confirm.click();
    await page.waitForURL(RUN_PATH);
    await expect.poll(() => page.locator('#run-status').textContent(), WAIT).toBe('succeeded');
    await page.getByRole('link', { name: 'Apps' }).click();
    await page.waitForURL('**/apps');
    await page.getByText('No apps yet.').waitFor();
    expect(await page.locator(`tr[data-app="${app}"]`).count()).toBe(0);
  });

  it('shows the health checks with what to do about each', async () => {
    await page.getByRole('link', { name: 'Health' }).click();
    await page.locator('.check').first().waitFor(WAIT);
    const names = await page.locator('.check strong').allTextContents();
    expect(names.length).toBeGreaterThan(2);
    const notOk = page.locator('.check:not([data-status=ok])');
    for (const check of await notOk.all()) expect(await check.locator('.hint').count()).toBe(1);
    await expectAccessible(page, 'the health page');
    await screenshots(page, 'health');
  });

  it('sends an expired session to sign-in with a message, and signing out ends the session', async () => {
    const db = new DatabaseSync(join(home, 'state.db'));
    try {
      expect(db.prepare("UPDATE web_sessions SET expires_at = '2000-01-01T00:00:00.000Z'").run().changes).toBe(1);
    } finally {
      db.close();
    }
    await page.getByRole('link', { name: 'Apps' }).click();
    await page.waitForURL('**/sign-in');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('session has expired');

    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    const after = await page.evaluate(async () => (await fetch('/v1/apps', { credentials: 'same-origin' })).status);
    expect(after).toBe(401);
  });

  it('asked nothing outside this machine: no CDN, fonts or scripts from elsewhere', () => {
    expect(requested.length).toBeGreaterThan(20);
    const elsewhere = requested.filter((url) => !/^(data|blob):/.test(url) && new URL(url).hostname !== '127.0.0.1');
    expect(elsewhere).toEqual([]);
  });
});

describe('the web page with a run that fails', () => {
  // No token exists: on loopback the server asks for none, and the page needs no sign-in.
  const { home, cwd } = tempHome('slipway-browser-failing-');
  let server: RunningServer;
  let registry: RegistryServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // A registry that is down: its port is known and nothing answers there until it starts again.
    registry = await startRegistry();
    await registry.stopProcess();
    // The base image comes from this machine (no internet here), so only the registry can fail.
    const base = await ensureBaseImage();
    writeFileSync(join(cwd, 'slipway.yaml'), [
      RUNTIME.trimEnd(), 'registry:', `  host: ${registry.host}`, '  insecure: true', 'image:', `  base: ${base.hostRef}`, `  platforms: [${base.hostPlatform}]`, '',
    ].join('\n'));
    server = await startServer({ home, cwd });
    context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 }, bypassCSP: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await stopServer(server);
    await registry?.stop();
  });

  it("works under the server's Content-Security-Policy: every page renders and nothing is refused", async () => {
    const strict = await browser.newContext({ baseURL: server.url });
    try {
      const refused: string[] = [];
      const tab = await strict.newPage();
      tab.on('console', (message) => {
        if (message.type() === 'error') refused.push(message.text());
      });
      tab.on('pageerror', (error) => refused.push(error.message));
      for (const [path, heading] of [['/', 'Ask for an app'], ['/apps', 'Apps'], ['/health', 'Health'], ['/sign-in', 'Sign in']] as const) {
        const answer = await tab.goto(path);
        expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'");
        await expect.poll(() => tab.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      }
      expect(refused).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('works with the keyboard alone: the skip link comes first, shows its focus, and leads to the form', async () => {
    await page.goto('/');
    await page.getByRole('heading', { level: 1, name: 'Ask for an app' }).waitFor();
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => {
      const element = document.activeElement as HTMLElement;
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      return { text: element.textContent, id: element.id, outline: style.outlineStyle, width: style.outlineWidth, onScreen: box.top >= 0 && box.bottom <= innerHeight };
    });
    expect(await focused()).toMatchObject({ text: 'Skip to content', outline: 'solid', width: '3px', onScreen: true });
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('main');
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ id: 'description', outline: 'solid' });
  });

  it('shows the failing stage, the reason and the hint; Resume finishes the run once the registry is up', async () => {
    await page.goto('/');
    await page.getByLabel('What should the app do?').fill('a timer for tea');
    await page.getByRole('combobox', { name: /^Template/ }).selectOption('timer');
    await page.getByLabel(/^Name/).fill('tea-timer');
    await page.getByRole('button', { name: 'Create the app' }).click();
    await page.waitForURL(RUN_PATH);
    const failure = page.locator('section.failure');
    await failure.waitFor(WAIT);
    expect(await failure.locator('.failure-stage').textContent()).toContain('image:build');
    expect(await failure.locator('.failure-reason').textContent()).toContain(registry.host);
    expect(await failure.locator('.failure-hint').textContent()).not.toBe('');
    expect(await page.locator('.step[data-step="image:build"]').getAttribute('data-status')).toBe('failed');
    await expectAccessible(page, 'a failed run');
    await screenshots(page, 'run-failed');

    await registry.startProcess();
    await failure.getByRole('button', { name: 'Resume' }).click();
    await page.locator('.outcome .big-link').waitFor(WAIT);
    expect(await page.locator('section.failure').count()).toBe(0);
    expect(await page.locator('.timeline .step').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-step'), row.getAttribute('data-status')])))
      .toEqual(STEPS.map((step) => [step, 'succeeded']));
    const url = (await page.locator('.outcome .big-link').getAttribute('href'))!;
    expect((await fetch(url)).status).toBe(200);
  });
});
