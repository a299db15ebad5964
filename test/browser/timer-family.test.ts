/**
 * The timer family in a real browser (Debian's Chromium through playwright-core): a countdown, a
 * stopwatch, a clock and a pomodoro timer, each generated from a request as a person writes it,
 * served by its own `node server.js` and used by role and label the way a person would use it.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, stopAllApps, writeApp } from '../../src/adapters/generator/app-harness.ts';
import { TemplateGenerator } from '../../src/adapters/generator/template-generator.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { expectAccessible, launchChromium } from './browser.ts';

const generator = new TemplateGenerator({ templatesDir: join(REPO_ROOT, 'templates') });
const DAY = 86_400_000;

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

/** Plans and generates the app for `request`, checks the timer it shows, starts it and opens it. */
async function open(request: string, mode: string, viewport = { width: 1280, height: 800 }): Promise<void> {
  const plan = await generator.plan({ description: request });
  expect(plan.template, request).toMatchObject({ id: 'timer', params: { mode } });
  const { files } = await generator.generate(plan, { name: 'timer-app', description: request });
  const app = await startApp(await writeApp(files));
  // axe-core is injected as an inline script, which the app's own policy forbids.
  context = await browser.newContext({ viewport, bypassCSP: true });
  page = await context.newPage();
  // The page loads its mode's module with import(): wait until nothing more is fetched, so it has run.
  await page.goto(app.url, { waitUntil: 'networkidle' });
}

/** A `datetime-local` value in the page's time zone, `ms` from now, to the minute. */
const localIn = (ms: number) =>
  page.evaluate((offset) => {
    const at = new Date(Date.now() + offset);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  }, ms);

const lapRows = () => page.locator('#laps tr');
const elapsed = () => page.getByRole('timer', { name: 'Elapsed time' }).textContent();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Nothing focused, so the page's own keys (Space, L) reach it rather than a button. */
const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

describe('the timer family in a browser', () => {
  it('counts down to a date three days ahead, and keeps it after a reload', async () => {
    await open('a countdown to our wedding day', 'countdown');
    await expect.poll(() => page.getByText('Pick a date to count down to.').isVisible()).toBe(true);
    const target = page.getByLabel('Count down to');
    // Two minutes past three days, so the seconds ticking away cannot take it under three days.
    await target.fill(await localIn(3 * DAY + 2 * 60_000));
    const left = page.getByRole('timer', { name: 'Time left' });
    await expect.poll(() => left.textContent()).toMatch(/^\s*3\s+days\s+0\s+hours\s+[12]\s+minutes?\s+\d+\s+seconds?\s*$/);
    await expect.poll(() => page.locator('#countdown-summary').textContent()).toMatch(/^3 days and 0 hours to go until /);
    // The seconds tick: the text changes within two seconds.
    const before = await left.textContent();
    await expect.poll(() => left.textContent(), { timeout: 3000 }).not.toBe(before);

    const kept = await target.inputValue();
    await page.reload({ waitUntil: 'networkidle' });
    expect(await page.getByLabel('Count down to').inputValue()).toBe(kept);
    await expect.poll(() => page.getByRole('timer', { name: 'Time left' }).textContent()).toMatch(/3\s+days/);
    await expectAccessible(page, 'the countdown');

    await page.getByLabel('Count down to').fill(await localIn(-DAY));
    await expect.poll(() => page.locator('#countdown-summary').textContent()).toMatch(/^It's here!/);
    await expect.poll(() => left.textContent()).toMatch(/^\s*0\s+days\s+0\s+hours\s+0\s+minutes\s+0\s+seconds\s*$/);
  });

  it('starts a countdown at the date the request names', async () => {
    await open('how many days until 12 June 2099', 'countdown');
    expect(await page.getByLabel('Count down to').inputValue()).toBe('2099-06-12T00:00');
    await expect.poll(() => page.getByRole('timer', { name: 'Time left' }).textContent()).toMatch(/^\s*\d{5}\s+days/);
    await expect.poll(() => page.locator('#countdown-summary').textContent()).toMatch(/to go until .*2099/);
  });

  it('runs a stopwatch with laps, by mouse and by keyboard, and keeps it after a reload', async () => {
    await open('a stopwatch for my running laps', 'stopwatch');
    expect(await elapsed()).toBe('00:00.00');
    await expect.poll(() => page.getByRole('button', { name: 'Lap' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Start' }).click();
    await sleep(300);
    await page.getByRole('button', { name: 'Lap' }).click();
    await expect.poll(() => lapRows().count()).toBe(1);
    const [number, lapTime, total] = await lapRows().first().locator('td').allTextContents();
    expect(number).toBe('1');
    expect(lapTime).toBe(total);
    expect(total).toMatch(/^00:00\.\d\d$/);
    expect(total).not.toBe('00:00.00');
    // Running, the total grows; paused, it stops.
    const running = await elapsed();
    await expect.poll(() => elapsed()).not.toBe(running);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Resume' }).isVisible()).toBe(true);
    // A frame drawn as Pause was pressed may still land: read it once the display has settled.
    await sleep(100);
    const stopped = await elapsed();
    await sleep(300);
    expect(await elapsed()).toBe(stopped);
    expect(await page.getByRole('button', { name: 'Resume' }).isVisible()).toBe(true);

    await page.reload({ waitUntil: 'networkidle' });
    expect(await elapsed()).toBe(stopped);
    expect(await lapRows().count()).toBe(1);
    expect(await lapRows().first().locator('td').allTextContents()).toEqual([number, lapTime, total]);

    // Space resumes, L takes a lap (shown first), Space pauses.
    await blur();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('button', { name: 'Pause' }).isVisible()).toBe(true);
    await sleep(200);
    await page.keyboard.press('l');
    await expect.poll(() => lapRows().count()).toBe(2);
    expect(await lapRows().first().locator('td').first().textContent()).toBe('2');
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('button', { name: 'Resume' }).isVisible()).toBe(true);
    await expectAccessible(page, 'the stopwatch');

    // A stopwatch left running keeps counting across a reload.
    await page.getByRole('button', { name: 'Resume' }).click();
    const beforeReload = await elapsed();
    await page.reload({ waitUntil: 'networkidle' });
    await expect.poll(() => page.getByRole('button', { name: 'Pause' }).isVisible()).toBe(true);
    await expect.poll(async () => (await elapsed())! > beforeReload!).toBe(true);

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Reset' }).click();
    expect(await elapsed()).toBe('00:00.00');
    expect(await lapRows().count()).toBe(0);
  });

  it('shows the time and date, and keeps an added time zone after a reload until it is removed', async () => {
    await open('a world clock with time zones', 'clock');
    await expect.poll(() => page.locator('#now').textContent()).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    expect(await page.locator('#today').textContent()).toMatch(/\d{4}/);
    await page.getByLabel('Add a time zone').selectOption('Asia/Tokyo');
    await page.getByRole('button', { name: 'Add' }).click();
    const tokyo = page.getByRole('listitem').filter({ hasText: 'Tokyo (Asia)' });
    await expect.poll(() => tokyo.count()).toBe(1);
    // Tokyo's time as the browser itself gives it: the zone is shown, not the local time again.
    const expected = await page.evaluate(() => new Date().toLocaleString([], { timeZone: 'Asia/Tokyo', weekday: 'short', hour: '2-digit', minute: '2-digit' }));
    expect(await tokyo.locator('time').textContent()).toBe(expected);

    await page.reload({ waitUntil: 'networkidle' });
    await expect.poll(() => tokyo.count()).toBe(1);
    await expectAccessible(page, 'the clock with a zone');
    await tokyo.getByRole('button', { name: 'Remove Tokyo (Asia)' }).click();
    await expect.poll(() => tokyo.count()).toBe(0);
    await page.reload({ waitUntil: 'networkidle' });
    await expect.poll(() => page.locator('#now').textContent()).toMatch(/\d{1,2}:\d{2}/);
    expect(await tokyo.count()).toBe(0);
  });

  it('still runs a pomodoro timer: start, pause and resume', async () => {
    await open('a pomodoro timer', 'pomodoro');
    const display = page.getByRole('timer');
    expect(await display.textContent()).toBe('25:00');
    await page.getByRole('button', { name: 'Start' }).click();
    await expect.poll(() => display.textContent(), { timeout: 3000 }).toBe('24:59');
    await page.getByRole('button', { name: 'Pause' }).click();
    const paused = await display.textContent();
    await sleep(1200);
    expect(await display.textContent()).toBe(paused);
    expect(await page.getByRole('button', { name: 'Resume' }).isVisible()).toBe(true);
    // The other timers are not on the page.
    expect(await page.getByLabel('Count down to').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Lap' }).count()).toBe(0);
    await expectAccessible(page, 'the pomodoro timer');
  });
});

describe('each timer in a dark theme, on a phone', () => {
  it.each([
    ['a countdown to 2027-06-12T18:30 in a dark theme', 'countdown'],
    ['a stopwatch for my laps in a dark theme', 'stopwatch'],
    ['a world clock in a dark theme', 'clock'],
    ['a pomodoro timer in a dark theme', 'pomodoro'],
  ])('%s: accessible, one column, no sideways scrolling', async (request, mode) => {
    await open(request, mode, { width: 375, height: 812 });
    expect(await page.evaluate(() => getComputedStyle(document.body).colorScheme)).toBe('dark');
    // Something in each view, so that its widest content is on the page.
    if (mode === 'stopwatch') {
      await page.getByRole('button', { name: 'Start' }).click();
      await page.getByRole('button', { name: 'Lap' }).click();
      await page.getByRole('button', { name: 'Pause' }).click();
    }
    if (mode === 'clock') {
      // The zone with the longest name this browser knows, the widest row the list can get.
      const longest = await page.evaluate(() => Intl.supportedValuesOf('timeZone').reduce((a, b) => (b.length > a.length ? b : a)));
      await page.getByLabel('Add a time zone').selectOption(longest);
      await page.getByRole('button', { name: 'Add' }).click();
      await expect.poll(() => page.getByRole('listitem').count()).toBe(1);
    }
    await expectAccessible(page, `the ${mode} in a dark theme`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), `${mode} at 375 px scrolls sideways`).toBeLessThanOrEqual(0);
  });
});
