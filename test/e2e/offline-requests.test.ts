/**
 * Everyday requests, each with the kind of app a person asking it would expect, put to the offline
 * generator: its choice must match for at least 90 % of them, and every app it makes must start and
 * answer. The table (test/fixtures/offline-requests.json) was written for this test from what
 * homelab users ask for, not from the generator's keyword lists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, stopAllApps, writeApp } from '../../src/adapters/generator/app-harness.ts';
import { TemplateGenerator } from '../../src/adapters/generator/template-generator.ts';
import type { AppPlan } from '../../src/ports/index.ts';
import { REPO_ROOT } from '../support/cli.ts';

interface Case {
  request: string;
  /** `template:<id>`, or `composed:<view>`: a composed app whose views include <view>. */
  expect: string;
}

const CASES = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'offline-requests.json'), 'utf8')) as Case[];
const generator = new TemplateGenerator({ templatesDir: join(REPO_ROOT, 'templates') });

/** What the plan chose, in the table's terms; a composed app names every view it has. */
function chosen(plan: AppPlan): string[] {
  if (plan.template.id !== 'composed') return [`template:${plan.template.id}`];
  const composition = (plan as AppPlan & { composition?: { views: string[] } }).composition;
  return (composition?.views ?? []).map((view) => `composed:${view}`);
}

afterEach(stopAllApps);

describe('the offline generator on everyday requests', () => {
  it('has a table of at least 40 requests, each expecting a template or a composed view', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.request)).size).toBe(CASES.length);
    for (const c of CASES) expect(c.expect, c.request).toMatch(/^(template:[a-z0-9-]+|composed:(list|board|calendar|chart|random))$/);
  });

  it('chooses the expected kind of app for at least 90 % of them', async () => {
    const misses: string[] = [];
    for (const c of CASES) {
      const plan = await generator.plan({ description: c.request });
      const got = chosen(plan);
      if (!got.includes(c.expect)) misses.push(`"${c.request}": expected ${c.expect}, got ${got.join(' + ') || 'a composed app with no views'}`);
    }
    const matched = CASES.length - misses.length;
    // Printed so a run shows how close the generator is, not only whether it passed.
    console.log(`offline generator: ${matched}/${CASES.length} requests matched${misses.length ? `; misses:\n  ${misses.join('\n  ')}` : ''}`);
    expect(matched / CASES.length, misses.join('\n')).toBeGreaterThanOrEqual(0.9);
  });

  it.each(CASES.map((c) => [c.request] as const))('generates an app for "%s" that starts and answers /healthz and /', async (request) => {
    const plan = await generator.plan({ description: request });
    const { files } = await generator.generate(plan, { name: 'offline-request', description: request });
    // An app needing PostgreSQL is the guestbook template, run against a real server (and its npm
    // dependency installed) by src/adapters/generator/template-guestbook-postgres.test.ts.
    if (plan.needs.database) return expect(plan.template.id).toBe('guestbook-postgres');
    const app = await startApp(await writeApp(files), { DATA_DIR: await writeApp([]) });
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    const page = await fetch(`${app.url}/`);
    expect(page.status, app.output()).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<html[\s>][\s\S]*<\/html>/i);
    expect(await app.stop()).toEqual({ code: 0, signal: null });
  });
});
