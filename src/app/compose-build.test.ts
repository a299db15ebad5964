import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBaseImage, writeTestApp, type TestBaseImage } from '../../test/support/base-image.ts';
import type { Platform } from '../ports/index.ts';
import { composeBuild } from './compose-build.ts';

let base: TestBaseImage;
beforeAll(async () => {
  base = await ensureBaseImage();
}, 120_000);

describe('composeBuild', () => {
  it('builds an app into an OCI layout with its layers cached under the cache folder, touching no Slipway home', async () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-compose-build-'));
    const app = join(root, 'app');
    await writeTestApp(app);
    const cache = join(root, 'cache');
    const parts = composeBuild(undefined, { nodeBinary: process.execPath, vars: { HOME: root }, homedir: root }, { cache, insecureRegistries: [] });
    const result = await parts.builder.build({
      contextDir: app, target: { kind: 'oci-layout', dir: join(root, 'out'), tag: 'v1' }, base: base.hostRef, platforms: [base.hostPlatform as Platform],
      workdir: '/app', entrypoint: ['node', 'server.js'],
    });
    parts.close();
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(readdirSync(join(root, 'out'))).toContain('index.json');
    expect(readdirSync(join(cache, 'layers')).length).toBeGreaterThan(0);
    // Only the cache and the output: no state file, no repos, no logs.
    expect(readdirSync(root).sort()).toEqual(['app', 'cache', 'out']);
    expect(existsSync(join(root, 'home'))).toBe(false);
  });
});
