import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import type { BuildRequest } from '../../ports/index.ts';
import { ensureBaseImage, ensureBaseInRegistry, writeTestApp, type RegistryBaseImage, type TestBaseImage } from '../../../test/support/base-image.ts';
import { InMemoryRegistry } from './memory-registry.test-support.ts';
import { SlipwayBuilder } from './slipway-builder.ts';

// The builder starts requests early and awaits them later (the base tag's digest, the guessed and
// the real base, the recorded image, blob pushes). A failure in any of them must end the build call
// with that error, whenever it arrives, and never surface as an unhandled rejection.
const HOST = 'registry.lan:5000';
let work: string;
let registry: InMemoryRegistry;
let base: RegistryBaseImage;
let layoutBase: TestBaseImage;
let app: string;
let cacheCount = 0;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-build-faults-'));
  layoutBase = await ensureBaseImage();
  registry = new InMemoryRegistry();
  base = await ensureBaseInRegistry(registry, HOST, 'base/node');
  app = join(work, 'app');
  await writeTestApp(app);
  // A layer that takes a while to pack, so requests started beside it answer first.
  await writeFile(join(app, 'public', 'noise.bin'), randomBytes(4 * 1024 * 1024));
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await rm(work, { recursive: true, force: true });
});
afterEach(async () => {
  registry.failNext = undefined;
  // Whatever was left running has had time to fail.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(unhandled.splice(0)).toEqual([]);
});

function request(repository: string, tag: string, overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    contextDir: app,
    target: { kind: 'registry', ref: { registry: HOST, repository, tag } },
    base: base.hostRef,
    platforms: ['linux/amd64'],
    workdir: '/app',
    entrypoint: ['node', 'server.js'],
    ...overrides,
  };
}

const freshCache = () => join(work, `cache-${++cacheCount}`);
const injected = (what: string) => new Error(`injected failure: ${what}`);

describe('a failing request the builder started early', () => {
  it('ends the build with the base\'s platform error while the app layer is still being packed', async () => {
    const builder = new SlipwayBuilder({ registry, cacheDir: freshCache() });
    const building = builder.build(request('apps/platform', 'v1', { base: layoutBase.hostRef, platforms: ['linux/arm64'] }));
    await expect(building).rejects.toThrow(InputError);
    await expect(building).rejects.toThrow(/amd64 only; linux\/arm64(\/v8)? was asked/);
  });

  it.each([
    ['the base tag\'s digest (HEAD)', /^HEAD-MANIFEST base\/node /],
    ['the base manifest', /^GET-MANIFEST base\/node /],
    ['the base config', /^GET base\/node /],
    ['a blob push', /^CHECK apps\/cold /],
    ['the tag', /^MANIFEST apps\/cold v1/],
  ])('with nothing cached: %s', async (what, call) => {
    const builder = new SlipwayBuilder({ registry, cacheDir: freshCache() });
    const error = injected(what);
    registry.failNext = { call, error };
    await expect(builder.build(request('apps/cold', 'v1'))).rejects.toBe(error);
  });

  it.each([
    ['the base tag\'s digest (HEAD), answered late while blobs go up with the guess', /^HEAD-MANIFEST base\/node /, 50],
    ['the base tag\'s digest (HEAD), answered at once', /^HEAD-MANIFEST base\/node /, 0],
    ['a blob push with the guessed base', /^CHECK apps\/warm /, 0],
    ['the tag', /^MANIFEST apps\/warm /, 0],
  ])('with the base cached (the guess): %s', async (what, call, delayMs) => {
    const cacheDir = freshCache();
    await new SlipwayBuilder({ registry, cacheDir }).build(request('apps/warm', 'v1', { base: base.hostRef }));
    // Other app settings: a new config and manifest, pushed with the base guessed from the cache.
    const error = injected(what);
    registry.failNext = { call, error, delayMs };
    await expect(new SlipwayBuilder({ registry, cacheDir }).build(request('apps/warm', 'v2', { env: { RELEASE: String(cacheCount) } }))).rejects.toBe(error);
  });
});
