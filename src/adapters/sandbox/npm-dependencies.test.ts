import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ProcessLedger, processStartTime } from '../os/index.ts';
import { SlipwayBuilder } from '../image-builder/index.ts';
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
    const output = await step.run({ input: { app: 'app', dir: app, spec, sourceSha: 'a'.repeat(40), version: 'v1.0.0', env: 'prod' }, runId: 'run-1', logger: pino({ level: 'silent' }), signal: new AbortController().signal });
    expect(output.dependencies).toEqual(['tiny-dep']);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    const manifestDigest: string = index.manifests[0].digest;
    const manifest = JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', manifestDigest.slice(7)), 'utf8'));
    const appLayer: string = manifest.layers.at(-1).digest;
    const listing = execFileSync('tar', ['-tzf', join(layout, 'blobs', 'sha256', appLayer.slice(7))], { encoding: 'utf8' });
    expect(listing).toContain('app/node_modules/tiny-dep/index.js');
    expect(existsSync(join(root, 'work')) ? execFileSync('ls', [join(root, 'work')], { encoding: 'utf8' }).trim() : '').toBe('');
  });

  it('writes each npm it runs into the process ledger while it runs, and forgets it when it ends', async () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-npm-'));
    const app = appWithDependency(root);
    const ledger = new ProcessLedger({ dir: join(root, 'started') });
    const seen: Array<{ command: string; alive: boolean; owner: number }> = [];
    const recording = {
      add: (pid: number, command: string) => {
        ledger.add(pid, command);
        // What a later `resume` or `doctor` would read while this npm runs.
        seen.push(...ledger.list().filter((e) => e.pid === pid).map((e) => ({ command: e.command, alive: e.alive, owner: e.owner.pid })));
      },
      remove: (pid: number) => ledger.remove(pid),
    };
    const prepared = await new NpmDependencyInstaller({ workDir: join(root, 'work'), path: PATH, ledger: recording }).prepare(app);
    expect(seen).toEqual([
      { command: expect.stringMatching(/^npm install --package-lock-only /), alive: true, owner: process.pid },
      { command: expect.stringMatching(/^npm ci --omit=dev /), alive: true, owner: process.pid },
    ]);
    expect(ledger.list()).toEqual([]);
    await prepared.cleanup();
  });

  it('leaves an npm that a killed Slipway was running in the ledger, where a sweep stops it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-npm-'));
    const app = appWithDependency(root);
    // An npm that takes its time (as one waiting on a slow registry does).
    const npm = join(root, 'slow-npm');
    writeFileSync(npm, '#!/bin/sh\nexec sleep 60\n');
    chmodSync(npm, 0o755);
    const dir = join(root, 'started');
    const options = { workDir: join(root, 'work'), path: PATH, npmBinary: npm };
    const script = [
      `const { NpmDependencyInstaller } = await import(${JSON.stringify(new URL('./npm-dependencies.ts', import.meta.url).href)});`,
      `const { ProcessLedger } = await import(${JSON.stringify(new URL('../os/index.ts', import.meta.url).href)});`,
      `const options = ${JSON.stringify(options)};`,
      `await new NpmDependencyInstaller({ ...options, ledger: new ProcessLedger({ dir: ${JSON.stringify(dir)} }) }).prepare(${JSON.stringify(app)});`,
    ].join('\n');
    const slipway = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const ledger = new ProcessLedger({ dir });
    let entry: ReturnType<ProcessLedger['list']>[number] | undefined;
    for (let i = 0; i < 100 && !entry; i++) {
      await delay(100);
      entry = ledger.list().find((e) => e.command.startsWith(`${npm} install`));
    }
    try {
      expect(entry).toMatchObject({ alive: true, ownerAlive: true, owner: { pid: slipway.pid } });
      slipway.kill('SIGKILL');
      await new Promise((resolve) => slipway.once('close', resolve));
      expect(processStartTime(entry!.pid)).toBe(entry!.startTime); // npm outlived the Slipway that started it

      const { stopped } = await ledger.sweep(1000);

      expect(stopped.map((p) => p.pid)).toEqual([entry!.pid]);
      for (let i = 0; i < 50 && processStartTime(entry!.pid); i++) await delay(20);
      expect(processStartTime(entry!.pid)).toBeUndefined();
      expect(ledger.list()).toEqual([]);
    } finally {
      slipway.kill('SIGKILL');
      if (entry) try { process.kill(-entry.pid, 'SIGKILL'); } catch { /* stopped */ }
    }
  });
});
