import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBaseImage } from '../support/base-image.ts';
import { runCli, tempHome } from '../support/cli.ts';

const skopeo = (() => { try { execFileSync('skopeo', ['--version']); return true; } catch { return false; } })();

describe('slipway build', () => {
  it('builds a directory into an OCI layout, reproducibly, and rebuilds with nothing uploaded', async () => {
    const { home, cwd } = tempHome('slipway-build-');
    const env = { SLIPWAY_CACHE: join(cwd, 'cache') };
    const app = join(cwd, 'app');
    mkdirSync(join(app, 'public'), { recursive: true });
    writeFileSync(join(app, 'server.js'), "require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT);\n");
    writeFileSync(join(app, 'public', 'index.html'), '<h1>hi</h1>\n');
    const base = await ensureBaseImage();
    const args = ['build', app, '--image', `oci:${join(cwd, 'out')}:v1`, '--base', base.hostRef, '--json'];

    const first = await runCli(args, { home, cwd, env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const built = JSON.parse(first.stdout);
    expect(built).toMatchObject({ platforms: [base.hostPlatform], blobsSkipped: 0 });
    expect(built.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.layers).toBeGreaterThanOrEqual(2);

    const again = JSON.parse((await runCli(args, { home, cwd, env })).stdout);
    expect(again.digest).toBe(built.digest);
    expect(again.bytesUploaded).toBe(0);

    // Another machine (fresh cache) gets the same bytes from the same source.
    const elsewhere = JSON.parse((await runCli([...args.slice(0, 3), `oci:${join(cwd, 'out2')}:v1`, ...args.slice(4)], { home, cwd, env: { SLIPWAY_CACHE: join(cwd, 'cache2') } })).stdout);
    expect(elsewhere.digest).toBe(built.digest);

    if (skopeo) {
      const inspected = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${join(cwd, 'out')}:v1`], { encoding: 'utf8' }));
      expect(inspected.Digest).toBe(built.digest);
      expect(inspected.Layers).toHaveLength(built.layers);
    }
  });

  it.each([
    [['build', '/no/such/dir', '--image', 'oci:/tmp/x:v1'], /not a directory/],
    [['build', '.', '--image', 'Not A Ref!'], /./],
    [['build', '.', '--image', 'oci:/tmp/x:v1', '--entrypoint', '[]'], /non-empty array/],
    [['build', '.'], /required option '--image/],
  ])('refuses %j with exit 2', async (args, message) => {
    const { home, cwd } = tempHome('slipway-build-');
    const result = await runCli(args, { home, cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
