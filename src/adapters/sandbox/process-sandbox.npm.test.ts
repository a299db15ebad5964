/**
 * Apps with dependencies, installed by the real npm from a local tarball (made with `npm pack`), so
 * no network is needed: the sandbox runs npm offline. Generated files are text, so the tarball sits
 * outside the app and package.json names it by absolute path.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { app, HEALTHY, names, newSandbox, server } from './sandbox.test-support.ts';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'slipway-sandbox-npm-'));
const markers = join(root, 'markers');
const npmEnv = { PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: join(root, 'home'), npm_config_cache: join(root, 'cache'), npm_config_update_notifier: 'false' };
let tarball = '';

/** An npm script that leaves a file named `name` in the markers folder. */
const markerScript = (name: string) => `node -e "require('fs').writeFileSync('${join(markers, name)}', 'ran')"`;

/** A package whose install script leaves a file behind: proof that it ran. */
beforeAll(async () => {
  const pkg = join(root, 'greeter');
  mkdirSync(pkg, { recursive: true });
  mkdirSync(markers, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'greeter', version: '1.0.0', main: 'index.js', scripts: { install: markerScript('dependency-install') } }));
  writeFileSync(join(pkg, 'index.js'), "module.exports = (who) => 'hello ' + who + ' from greeter';\n");
  const { stdout } = await run('npm', ['pack', '--pack-destination', root], { cwd: pkg, env: npmEnv });
  tarball = join(root, stdout.trim().split('\n').at(-1)!);
});

const appWithDependency = () => app({
  'package.json': JSON.stringify({
    name: 'uses-greeter', version: '1.0.0', private: true, type: 'module',
    dependencies: { greeter: `file:${tarball}` },
    scripts: { postinstall: markerScript('app-postinstall') },
  }),
  'server.js': server(`${HEALTHY} res.end(greet('sandbox'));`).replace(/^/, "import { createRequire } from 'node:module';\nconst greet = createRequire(import.meta.url)('greeter');\n"),
});

describe('ProcessSandbox with npm dependencies', () => {
  it('generates a lockfile, installs with npm ci, and starts the app that uses the dependency', async () => {
    const { workDir, sandbox } = newSandbox({ offline: true, npmCache: join(root, 'cache') });
    const result = await sandbox.verify(appWithDependency());
    expect(result.failure).toBeUndefined();
    expect(names(result.checks)).toEqual(['files:ok', 'package.json:ok', 'lockfile:ok', 'install:ok', 'start:ok', 'GET /healthz:ok', 'GET /:ok']);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('runs no install script, neither the app\'s nor a dependency\'s', async () => {
    const { sandbox } = newSandbox({ offline: true, npmCache: join(root, 'cache') });
    expect((await sandbox.verify(appWithDependency())).ok).toBe(true);
    expect(readdirSync(markers)).toEqual([]);
    // The same install without --ignore-scripts does leave the markers: the check above can fail.
    const plain = mkdtempSync(join(root, 'plain-'));
    for (const file of appWithDependency().files) writeFileSync(join(plain, file.path), file.content);
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: plain, env: npmEnv });
    expect(readdirSync(markers).sort()).toEqual(['app-postinstall', 'dependency-install']);
  });

  it('uses the lockfile the app brings (npm ci only)', async () => {
    const locked = mkdtempSync(join(root, 'locked-'));
    const files = appWithDependency().files;
    for (const file of files) writeFileSync(join(locked, file.path), file.content);
    await run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--offline'], { cwd: locked, env: npmEnv });
    const lock = readFileSync(join(locked, 'package-lock.json'), 'utf8');
    const { sandbox } = newSandbox({ offline: true, npmCache: join(root, 'cache') });
    const result = await sandbox.verify({ ...appWithDependency(), files: [...files, { path: 'package-lock.json', content: lock }] });
    expect(names(result.checks)).toEqual(['files:ok', 'package.json:ok', 'install:ok', 'start:ok', 'GET /healthz:ok', 'GET /:ok']);
  });

  it("fails at lockfile with npm's message when a dependency cannot be had", async () => {
    const { sandbox } = newSandbox({ offline: true, npmCache: join(root, 'empty-cache') });
    const result = await sandbox.verify(app({
      'package.json': JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { 'slipway-no-such-package': '^1.0.0' } }),
      'server.js': server(HEALTHY),
    }));
    expect(names(result.checks)).toEqual(['files:ok', 'package.json:ok', 'lockfile:failed']);
    expect(result.failure).toMatch(/^lockfile failed: npm install --package-lock-only exited with code 1\.\n/);
    expect(result.failure).toMatch(/ENOTCACHED|slipway-no-such-package/);
  });
});
