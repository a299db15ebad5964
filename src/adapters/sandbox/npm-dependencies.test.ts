import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlipwayBuilder } from '../image-builder/slipway-builder.ts';
import { ensureBaseImage } from '../../../test/support/base-image.ts';
import { createBuildImageStep } from '../../steps/image-build/index.ts';
import { NpmDependencyInstaller } from './npm-dependencies.ts';
import pino from 'pino';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

/** An app that needs a local package (packed with npm, so no network is used). */
function appWithDependency(root: string): string {
  const dep = join(root, 'tiny-dep');
  mkdirSync(dep, { recursive: true });
  writeFileSync(join(dep, 'package.json'), JSON.stringify({ name: 'tiny-dep', version: '1.0.0', main: 'index.js', scripts: { postinstall: 'node -e "require(\'fs\').writeFileSync(\'ran-postinstall\', \'x\')"' } }));
  writeFileSync(join(dep, 'index.js'), "module.exports = () => 'from tiny-dep';\n");
  const tarball = join(root, execFileSync('npm', ['pack', '--silent', '--pack-destination', root], { cwd: dep, encoding: 'utf8', env: { ...process.env, PATH } }).trim());
  const app = join(root, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'tiny-dep': `file:${tarball}` } }));
  writeFileSync(join(app, 'server.js'), "require('node:http').createServer((q, s) => s.end(require('tiny-dep')())).listen(process.env.PORT);\n");
  return app;
}

describe('NpmDependencyInstaller', () => {
  it('installs production dependencies into a staging copy without running install scripts', async () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-npm-'));
    const app = appWithDependency(root);
    const installer = new NpmDependencyInstaller({ workDir: join(root, 'work'), path: PATH });
    const prepared = await installer.prepare(app);
    expect(prepared.dependencies).toEqual(['tiny-dep']);
    expect(prepared.dir).not.toBe(app);
    expect(readFileSync(join(prepared.dir, 'node_modules', 'tiny-dep', 'index.js'), 'utf8')).toContain('from tiny-dep');
    expect(existsSync(join(prepared.dir, 'package-lock.json'))).toBe(true);
    expect(existsSync(join(prepared.dir, 'node_modules', 'tiny-dep', 'ran-postinstall'))).toBe(false);
    expect(existsSync(join(app, 'node_modules'))).toBe(false);
    await prepared.cleanup();
    expect(existsSync(prepared.dir)).toBe(false);
  });

  it('builds apps without dependencies from their own directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-npm-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'plain', version: '1.0.0' }));
    const prepared = await new NpmDependencyInstaller({ workDir: join(dir, 'work'), path: PATH }).prepare(dir);
    expect(prepared).toMatchObject({ dir, dependencies: [] });
  });

  it('puts node_modules into the image the build step makes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-npm-'));
    const app = appWithDependency(root);
    const base = await ensureBaseImage();
    const installer = new NpmDependencyInstaller({ workDir: join(root, 'work'), path: PATH });
    const layout = join(root, 'images');
    const step = createBuildImageStep({
      builder: new SlipwayBuilder({ cacheDir: join(root, 'cache') }),
      sourceUrl: 'file:///apps.git',
      prepare: (dir, signal) => installer.prepare(dir, signal),
      images: {
        base: async () => base.hostRef, platforms: [base.hostPlatform as `${string}/${string}`],
        target: (_app, tag) => ({ kind: 'oci-layout', dir: layout, tag }),
        manifestImage: (name, tag, digest) => `r/${name}:${tag}@${digest}`,
        runImage: (_name, tag) => `oci:${layout}:${tag}`,
      },
    });
    const spec = { name: 'app', description: 'd', template: 'x', templateVersion: '1', runtime: 'node' as const, port: 8080, persistent: false, command: ['node', 'server.js'] };
    const output = await step.run({ input: { app: 'app', dir: app, spec, sourceSha: 'a'.repeat(40) }, runId: 'run-1', logger: pino({ level: 'silent' }), signal: new AbortController().signal });
    expect(output.dependencies).toEqual(['tiny-dep']);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    const manifestDigest: string = index.manifests[0].digest;
    const manifest = JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', manifestDigest.slice(7)), 'utf8'));
    const appLayer: string = manifest.layers.at(-1).digest;
    const listing = execFileSync('tar', ['-tzf', join(layout, 'blobs', 'sha256', appLayer.slice(7))], { encoding: 'utf8' });
    expect(listing).toContain('app/node_modules/tiny-dep/index.js');
    expect(existsSync(join(root, 'work')) ? execFileSync('ls', [join(root, 'work')], { encoding: 'utf8' }).trim() : '').toBe('');
  });
});
