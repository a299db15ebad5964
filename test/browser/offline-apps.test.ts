/**
 * Apps the offline generator makes, used in a real browser (Debian's Chromium through
 * playwright-core) the way a person would: each view of a composed app and each newer template.
 * The pages are driven by role and label only, so any accessible markup passes and an unlabelled
 * field fails. Every text field holds a `<script>`, which must show as text and never run.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, stopAllApps, writeApp, type TestApp } from '../../src/adapters/generator/app-harness.ts';
import { TemplateGenerator } from '../../src/adapters/generator/template-generator.ts';
import type { AppPlan } from '../../src/ports/index.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { expectAccessible, launchChromium } from './browser.ts';

type View = 'list' | 'board' | 'calendar' | 'chart' | 'random';

interface Case {
  request: string;
  /** `template:<id>` or `composed:<view>`, as in test/fixtures/offline-requests.json. */
  kind: string;
  /** Whether a stored item can be edited in the page (short links and pastes are replaced, not edited). */
  editable: boolean;
  /** Written to docs/screenshots/<name>.png for the README, with `samples` (or three chores) as items. */
  screenshot?: string;
  samples?: string[];
}

const CASES: Case[] = [
  { request: 'a recipe box where I keep recipes with ingredients and steps', kind: 'composed:list', editable: true },
  { request: 'a kanban board for my side projects', kind: 'composed:board', editable: true, screenshot: 'composed-board' },
  { request: 'a habit tracker for reading, running and meditating every day', kind: 'composed:calendar', editable: true },
  { request: 'a weight log with a chart', kind: 'composed:chart', editable: true, screenshot: 'composed-chart' },
  { request: 'a dinner idea picker that chooses a random meal', kind: 'composed:random', editable: true },
  { request: 'a status page that checks whether my Jellyfin and Nextcloud servers are up', kind: 'template:status-page', editable: true },
  { request: 'a dashboard with links to all my homelab services', kind: 'template:link-dashboard', editable: true, screenshot: 'link-dashboard', samples: ['Jellyfin', 'Nextcloud', 'Home Assistant'] },
  { request: 'a URL shortener for the office', kind: 'template:shortener', editable: false },
  { request: 'a pastebin for sharing log snippets', kind: 'template:pastebin', editable: false },
  // The notes template, older than the others, held to the same test.
  { request: 'a todo list for the household chores', kind: 'template:notes-api', editable: false },
];

/** A `<script>` runs only through a parser that executes it; the image's handler through innerHTML too. Short enough for an 80-character name. */
const SCRIPT = '<script>window.__stored=1</script>';
const MARKUP = `${SCRIPT}<img src=x onerror=__stored=1>`;
const FIRST = 'Pancakes';
const SECOND = 'Waffles';
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');
const generator = new TemplateGenerator({ templatesDir: join(REPO_ROOT, 'templates') });

let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await context?.close();
  await stopAllApps();
});

/** The kinds of app the plan chose, in the table's terms. */
function kinds(plan: AppPlan): string[] {
  if (plan.template.id !== 'composed') return [`template:${plan.template.id}`];
  return ((plan as AppPlan & { composition?: { views: string[] } }).composition?.views ?? []).map((view) => `composed:${view}`);
}

/** The app, its data folder and the page open on it; `restart` stops it and starts it again on the same data. */
async function openApp(c: Case, viewport: { width: number; height: number } = { width: 1280, height: 800 }): Promise<{ restart(): Promise<void> }> {
  const plan = await generator.plan({ description: c.request });
  expect(kinds(plan), c.request).toContain(c.kind);
  const { files } = await generator.generate(plan, { name: 'offline-app', description: c.request });
  const dir = await writeApp(files);
  const env = { DATA_DIR: await writeApp([]) };
  let app: TestApp = await startApp(dir, env);
  // axe-core is injected as an inline script, which the apps' own policy forbids. Without the
  // policy a stored `<script>` inserted as HTML would run, so the check below needs no help from it.
  context = await browser.newContext({ viewport, colorScheme: 'light', bypassCSP: true });
  page = await context.newPage();
  // A stored item removed by a confirm() dialog: the person says yes.
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(app.url);
  return {
    async restart() {
      expect(await app.stop()).toEqual({ code: 0, signal: null });
      app = await startApp(dir, env);
      await page.goto(app.url);
    },
  };
}

/** Today in the page's time zone, as a date field holds it (YYYY-MM-DD). */
const today = () => page.evaluate(() => new Date(Date.UTC(new Date().getFullYear(), new Date().getMonth(), new Date().getDate())).toISOString().slice(0, 10));

/** The form fields inside `scope` a person would fill in, visible and enabled. */
async function fieldsIn(scope: Locator): Promise<Locator[]> {
  const all = await scope.locator('input, textarea, select').all();
  const fields: Locator[] = [];
  for (const field of all) {
    const type = (await field.getAttribute('type')) ?? '';
    if (['hidden', 'submit', 'button', 'reset', 'search'].includes(type)) continue;
    if (await field.isVisible() && await field.isEnabled()) fields.push(field);
  }
  return fields;
}

/**
 * Fills every field by its type; the first free-text field gets `name` and every other free-text
 * field stored markup; URLs carry a `<script>` in their query (a form without free text, such as a
 * URL to shorten, names the item in the URL). Every field must have a label a screen reader can read out.
 */
async function fill(fields: Locator[], name: string, sample?: number): Promise<void> {
  let named = false;
  for (const field of fields) {
    const label = await field.evaluate((el) => (el as HTMLInputElement).labels?.[0]?.textContent?.trim() || el.getAttribute('aria-label') || '');
    expect(label, `a field without a label: ${await field.evaluate((el) => el.outerHTML)}`).not.toBe('');
    const tag = await field.evaluate((el) => el.tagName.toLowerCase());
    const type = tag === 'input' ? ((await field.getAttribute('type')) ?? 'text') : tag;
    if (type === 'select') {
      const options = await field.locator('option').evaluateAll((els) => els.map((el) => (el as HTMLOptionElement).value).filter((v) => v !== ''));
      await field.selectOption(options[(sample ?? 0) % options.length]!);
    } else if (type === 'checkbox') {
      await field.check();
    } else if (type === 'number' || type === 'range') {
      await field.fill(String(72.5 - (sample ?? 0) * 0.7));
    } else if (type === 'date') {
      // Today, as the browser sees it: a calendar shows the last weeks.
      // Samples a week apart on fixed days, so the screenshots come out the same every run.
      if (sample !== undefined) await field.fill(`2026-11-${String(16 + sample * 7)}`);
      else await field.fill(await today());
    } else if (type === 'url') {
      // A URL may carry markup too, in its query; the app may show it percent-encoded.
      const url = `https://example.com/${named ? 'b' : name.toLowerCase().replace(/\W+/g, '-')}`;
      await field.fill(sample === undefined ? `${url}?q=${SCRIPT}` : url);
    } else if (type === 'email') {
      await field.fill('someone@example.com');
    } else if (await field.getAttribute('pattern')) {
      // A field with a fixed shape (a short code, a colour): a value of that shape is for the app to choose.
      continue;
    } else {
      // A one-line field after the name may be a tag list (tags of at most 40 characters): the `<script>` alone fits.
      if (sample !== undefined) await field.fill(named ? '' : name);
      else await field.fill(!named ? `${name} ${MARKUP}` : type === 'textarea' ? `${MARKUP} ${name} notes` : SCRIPT);
      named = true;
    }
  }
  expect(fields.length, 'fields to fill in').toBeGreaterThan(0);
}

const button = (scope: Page | Locator, name: RegExp) => scope.getByRole('button', { name }).first();

/** Adds an item through the page's first form, as a person fills it in; a `sample` is plain text, for screenshots. */
async function addItem(name: string, sample?: number): Promise<void> {
  const form = page.locator('form').first();
  await fill(await fieldsIn(form), name, sample);
  await button(form, /add|save|create|shorten|paste|check|submit/i).click();
  await expect.poll(() => page.getByText(name).count(), { message: `${name} shown after adding` }).toBeGreaterThan(0).catch(async (error: Error) => {
    // What the page told the person is what a reader of the failure needs.
    const alerts = await page.getByRole('alert').allInnerTexts();
    throw new Error(`${error.message}; the page says: ${alerts.join(' | ') || 'nothing'}`);
  });
}

/** Opens the item for editing and renames it: the field holding `from` now holds `to`. */
async function editItem(from: string, to: string): Promise<void> {
  await button(page, new RegExp(`^edit\\b`, 'i')).click();
  const editing = [];
  for (const field of await fieldsIn(page.locator('body'))) {
    if ((await field.inputValue().catch(() => '')).toLowerCase().includes(from.toLowerCase())) editing.push(field);
  }
  expect(editing.length, 'a field holding the name, once Edit is pressed').toBeGreaterThan(0);
  // The name may be in a URL, in lower case.
  await editing[0]!.fill((await editing[0]!.inputValue()).replace(new RegExp(from, 'i'), to));
  await button(page, /save|update|done/i).click();
  await expect.poll(() => page.getByText(to).count(), { message: `${to} shown after editing` }).toBeGreaterThan(0);
}

async function deleteItem(name: string): Promise<void> {
  await button(page, /^(delete|remove)\b/i).click();
  await expect.poll(() => page.getByText(name).count(), { message: `${name} gone after deleting` }).toBe(0);
}

/** The stored `<script>` is on the page as text and did not run. */
async function expectScriptShownAsText(): Promise<void> {
  expect(await page.locator('body').innerText()).toMatch(/<script>window\.__stored=1<\/script>|%3Cscript%3Ewindow\.__stored=1%3C\/script%3E/);
  expect(await page.evaluate(() => (window as unknown as { __stored?: number }).__stored)).toBeUndefined();
}

/** Goes to the view if it has its own link, tab or button; a view on the same page needs nothing. */
async function showView(view: View): Promise<void> {
  const words: Record<View, RegExp> = { list: /\blist\b/i, board: /\bboard\b/i, calendar: /\bcalendar\b/i, chart: /\bchart\b/i, random: /\b(random|pick)\b/i };
  for (const role of ['tab', 'link'] as const) {
    const control = page.getByRole(role, { name: words[view] }).first();
    if (await control.count()) return control.click();
  }
}

/** What each view shows of the stored item. */
async function expectView(view: View, name: string): Promise<void> {
  if (view === 'board' || view === 'list') {
    await expect.poll(() => page.getByText(name).count()).toBeGreaterThan(0);
  } else if (view === 'calendar') {
    // The item was dated today: today's day names itself and counts the item.
    const day = await today();
    // Said in the day's text or its label, the way a screen reader reads it out: "2026-12-06: 1".
    const marked = new RegExp(`${day}\\D{0,3}\\b1\\b`);
    await expect.poll(async () => (await page.getByText(marked).count()) + (await page.getByLabel(marked).count()), { message: `today (${day}) counted in the calendar` }).toBeGreaterThan(0);
  } else if (view === 'chart') {
    const chart = page.getByRole('img', { name: /\S/ }).locator('xpath=self::*[local-name()="svg"]');
    await expect.poll(() => chart.locator('circle, path, polyline, rect').count(), { message: 'a chart with an accessible name, drawing the item' }).toBeGreaterThan(0);
    // Its values and dates are written on it, and said in its name.
    const day = await today();
    await expect.poll(() => chart.locator('text').allTextContents()).toEqual(['72.5', day]);
    expect(await chart.getAttribute('aria-label')).toMatch(new RegExp(`over time: 1 entry, from 72\\.5 on ${day} to 72\\.5 on ${day}; lowest 72\\.5, highest 72\\.5$`));
  } else {
    await button(page, /pick|random|choose|surprise/i).click();
    await expect.poll(() => page.getByText(name).count(), { message: 'the picked item' }).toBeGreaterThan(0);
  }
}

describe('apps of the offline generator in a browser', () => {
  it.each(CASES.map((c) => [c.kind, c] as const))('%s: adds, edits and deletes an item that outlives a restart, accessibly, showing a stored <script> as text', async (kind, c) => {
    const app = await openApp(c);
    await expectAccessible(page, `${kind}, empty`);

    await addItem(FIRST);
    await expectScriptShownAsText();
    let name = FIRST;
    if (c.editable) {
      await editItem(FIRST, SECOND);
      name = SECOND;
    }
    await app.restart();
    await expect.poll(() => page.getByText(name).count(), { message: `${name} kept across a restart` }).toBeGreaterThan(0);
    await expectScriptShownAsText();
    await expectAccessible(page, `${kind}, with an item`);

    if (kind.startsWith('composed:')) {
      const view = kind.slice('composed:'.length) as View;
      await showView(view);
      await expectView(view, name);
      await expectAccessible(page, `${kind}, the ${view} view`);
      await expectScriptShownAsText();
    }
    await showView('list');

    await deleteItem(name);
    await app.restart();
    await expect.poll(() => page.getByText(name).count(), { message: `${name} still gone after a restart` }).toBe(0);

    if (c.screenshot) {
      // The README's picture: the app with a few plain items, as a person would have it.
      for (const [i, sample] of (c.samples ?? ['Plan the garden', 'Paint the fence', 'Fix the bike']).entries()) await addItem(sample, i);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${c.screenshot}.png`), fullPage: true });
    }
  }, 60_000);
});

describe('the same apps asked for in a dark theme, on a phone', () => {
  it.each(CASES.map((c) => [c.kind, c] as const))('%s: dark, readable and one column wide at 375 px', async (kind, c) => {
    await openApp({ ...c, request: `${c.request}, in a dark theme` }, { width: 375, height: 812 });
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'a dark page').toMatch(/^rgb\((\d{1,2}|1[01]\d), (\d{1,2}|1[01]\d), (\d{1,2}|1[01]\d)\)$/);
    await addItem(FIRST);
    if (kind.startsWith('composed:')) {
      const view = kind.slice('composed:'.length) as View;
      await showView(view);
      await expectView(view, FIRST);
    }
    await expectAccessible(page, `${kind}, dark, on a phone`);
    // Nothing wider than the screen: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth), 'the page width at 375 px').toBeLessThanOrEqual(375);
  }, 60_000);
});

describe('a composed app changed to show a board', () => {
  it('keeps its items, which wait in the first column until moved', async () => {
    const request = 'a recipe box';
    const app = { name: 'offline-app', description: request };
    const plan = await generator.plan({ description: request });
    const before = await generator.generate(plan, app);
    const env = { DATA_DIR: await writeApp([]) };
    const first = await startApp(await writeApp(before.files), env);
    const added = await fetch(`${first.url}/api/items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: FIRST }) });
    expect(added.status).toBe(201);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const changed = await generator.change(plan, app, before, 'add a board with columns to try, tried and favourite');
    const after = await startApp(await writeApp(changed.files), env);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', bypassCSP: true });
    page = await context.newPage();
    await page.goto(after.url);
    const column = (name: string) => page.locator('.column', { has: page.getByRole('heading', { name, exact: true }) });
    await expect.poll(() => column('To try').getByText(FIRST).count(), { message: 'the older item in the first column' }).toBe(1);
    // Moved with its column select, it stays moved.
    await page.getByRole('combobox', { name: `Move ${FIRST}` }).selectOption('Tried');
    await expect.poll(() => column('Tried').getByText(FIRST).count(), { message: 'the item moved to Tried' }).toBe(1);
    await page.reload();
    await expect.poll(() => column('Tried').getByText(FIRST).count(), { message: 'the move kept' }).toBe(1);
    await expectAccessible(page, 'a recipe box changed to show a board');
  }, 60_000);
});

describe('the list of a composed app', () => {
  it('searches and sorts: a log shows its latest first, and the order and field can be changed', async () => {
    const request = 'a weight log with a chart';
    const plan = await generator.plan({ description: request });
    const { files } = await generator.generate(plan, { name: 'offline-app', description: request });
    const app = await startApp(await writeApp(files), { DATA_DIR: await writeApp([]) });
    for (const [date, weight, note] of [['2026-11-02', 73.1, 'after the holidays'], ['2026-11-20', 71.4, 'new shoes'], ['2026-11-10', 72.0, 'rainy week']] as const) {
      const added = await fetch(`${app.url}/api/items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ date, weight, note }) });
      expect(added.status).toBe(201);
    }
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', bypassCSP: true });
    page = await context.newPage();
    await page.goto(app.url);
    const shown = () => page.locator('#items > li > strong').allTextContents();
    await expect.poll(shown, { message: 'latest first' }).toEqual(['2026-11-20', '2026-11-10', '2026-11-02']);
    await page.getByLabel('Order').selectOption('asc');
    await expect.poll(shown, { message: 'oldest first' }).toEqual(['2026-11-02', '2026-11-10', '2026-11-20']);
    await page.getByLabel('Sort by').selectOption({ label: 'Weight (kg)' });
    await page.getByLabel('Order').selectOption('desc');
    await expect.poll(shown, { message: 'heaviest first' }).toEqual(['2026-11-02', '2026-11-10', '2026-11-20']);
    await page.getByLabel('Search').fill('SHOES');
    await expect.poll(shown, { message: 'found by its note, in any case' }).toEqual(['2026-11-20']);
    await page.getByLabel('Search').fill('nothing like it');
    await expect.poll(shown).toEqual([]);
    await expect(page.getByText('Nothing matches the search.').isVisible()).resolves.toBe(true);
    await expectAccessible(page, 'a searched and sorted list');
  }, 60_000);
});
