import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';

const { home, cwd } = tempHome('slipway-images-');
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const opts = { home, cwd };
const store = join(home, 'images');
const created: string[] = [];

function blobs(): Map<string, number> {
  const dir = join(store, 'blobs', 'sha256');
  return new Map(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).size]));
}
const tags = () => (JSON.parse(readFileSync(join(store, 'index.json'), 'utf8')).manifests as Array<{ digest: string; annotations: Record<string, string> }>)
  .map((m) => ({ tag: m.annotations['org.opencontainers.image.ref.name']!, digest: m.digest }));
const manifest = (digest: string) => JSON.parse(readFileSync(join(store, 'blobs', 'sha256', digest.slice(7)), 'utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };

async function create(description: string, name: string): Promise<{ source: string }> {
  const result = await runCli(['create', description, '--name', name, '--json'], opts);
  expect(result.code, result.stderr).toBe(0);
  created.push(name);
  return { source: JSON.parse(result.stdout).commits.source };
}

afterAll(async () => {
  for (const app of created) await runCli(['delete', app], opts);
});

describe('one image store for every app', () => {
  it('stores the base once: a second app adds only its layer, config and manifest', async () => {
    const first = await create('a pomodoro timer', 'timer');
    const afterFirst = blobs();
    const second = await create('a notes api', 'notes');
    const afterSecond = blobs();

    const added = [...afterSecond.keys()].filter((b) => !afterFirst.has(b));
    expect(added).toHaveLength(3);
    const addedBytes = added.reduce((n, b) => n + afterSecond.get(b)!, 0);
    const firstBytes = [...afterFirst.values()].reduce((n, s) => n + s, 0);
    expect(addedBytes).toBeLessThan(1_000_000);
    expect(firstBytes).toBeGreaterThan(10_000_000); // the base image, stored once

    expect(tags().map((t) => t.tag)).toEqual([`notes_v1.0.0-${second.source.slice(0, 7)}-prod`, `timer_v1.0.0-${first.source.slice(0, 7)}-prod`]);
    const [notes, timer] = tags().map((t) => manifest(t.digest));
    // The base layer is one blob both images name; the app layers and configs are their own.
    expect(notes!.layers[0]!.digest).toBe(timer!.layers[0]!.digest);
    expect(notes!.layers.at(-1)!.digest).not.toBe(timer!.layers.at(-1)!.digest);
    expect(added).toEqual(expect.arrayContaining([notes!.config.digest.slice(7), notes!.layers.at(-1)!.digest.slice(7), tags()[0]!.digest.slice(7)]));
    expect(readdirSync(store).sort()).toEqual(['blobs', 'index.json', 'oci-layout']);
  });

  it('drops a deleted app\'s tag and the layout of its own an older Slipway left, and keeps the other app\'s image', async () => {
    // An app built before the store was shared has its own layout under images/<app>.
    mkdirSync(join(store, 'timer', 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(store, 'timer', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(store, 'timer', 'index.json'), '{"schemaVersion":2,"manifests":[]}');
    const result = await runCli(['delete', 'timer', '--json'], opts);
    expect(result.code, result.stderr).toBe(0);
    created.splice(created.indexOf('timer'), 1);
    expect(JSON.parse(result.stdout).timeline.map((s: { stepId: string }) => s.stepId)).toContain('image:forget');
    expect(tags().map((t) => t.tag)).toEqual([expect.stringMatching(/^notes_v1\.0\.0-[0-9a-f]{7}-prod$/)]);
    expect(existsSync(join(store, 'timer'))).toBe(false);
    const notes = manifest(tags()[0]!.digest);
    for (const d of [notes.config.digest, ...notes.layers.map((l) => l.digest)]) expect(blobs().has(d.slice(7))).toBe(true);
  });
});
