import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemplateGenerator } from '../../src/adapters/generator/template-generator.ts';
import { freePort } from '../../src/adapters/os/free-port.ts';
import { launchChromium } from '../browser/browser.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { startRegistry, type RegistryServer } from '../support/registry-server.ts';
import { ensureSlipwayTestBase } from '../support/slipway-base-image.ts';

const exec = promisify(execFile);
const has = (program: string) => { try { execFileSync(program, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } };
const tools = has('podman') && has('skopeo');

interface Built { image: string; digest: string; platforms: string[]; version: string; revision: string; sourceDateEpoch: number }

/** `npm run image` as a user runs it, against the test registry; a cache folder of its own each time. */
function buildImage(registry: RegistryServer, base: string, stage: string): Promise<Built> {
  const root = mkdtempSync(join(tmpdir(), 'slipway-image-run-'));
  const args = ['scripts/image.ts', '--no-bundle', '--json', '--insecure', '--base', base, '--image', `${registry.host}/slipway/slipway:test`, '--stage', stage];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, SLIPWAY_HOME: join(root, 'home'), SLIPWAY_CACHE: join(root, 'cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as Built) : reject(new Error(`npm run image exited ${code}\n${stdout}\n${stderr}`))));
  });
}

async function skopeo(...args: string[]): Promise<any> {
  return JSON.parse((await exec('skopeo', ['inspect', '--tls-verify=false', ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout);
}

async function podman(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec('podman', args, { maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
}

/** A folder for $SLIPWAY_HOME that uid 1000 in the container may write, as a PVC with fsGroup is. */
function stateVolume(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-image-state-'));
  // Only root may give it away; anyone else opens it to every user.
  if (process.getuid?.() === 0) chownSync(dir, 1000, 1000);
  chmodSync(dir, process.getuid?.() === 0 ? 0o755 : 0o777);
  return dir;
}

describe.skipIf(!tools)("Slipway's own image", () => {
  let registry: RegistryServer;
  let base: string;
  let built: Built;
  let again: Built;
  let stage: string;
  let imageId: string;
  const containers: string[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    const layout = await ensureSlipwayTestBase();
    base = `${registry.host}/base/node:24`;
    // One index of both platforms in the registry, as docker.io/library/node:24 is.
    await exec('skopeo', ['copy', '--all', '--quiet', '--dest-tls-verify=false', layout.ref, `docker://${base}`]);
    stage = mkdtempSync(join(tmpdir(), 'slipway-image-stage-'));
    built = await buildImage(registry, base, stage);
    // The same commit staged afresh and built with an empty layer cache.
    again = await buildImage(registry, base, mkdtempSync(join(tmpdir(), 'slipway-image-stage-')));
    const pulled = await podman('pull', '--quiet', '--tls-verify=false', built.image);
    expect(pulled.code, pulled.stderr).toBe(0);
    imageId = pulled.stdout.trim();
  }, 240_000);

  afterAll(async () => {
    for (const name of containers) await podman('rm', '--force', '--time', '0', name);
    // Each commit makes another image: none is left behind in podman's storage.
    if (imageId) await podman('rmi', '--force', imageId);
    await registry?.stop();
  });

  it('is one index for linux/amd64 and linux/arm64, pinned by digest, and the same commit builds the same digest', async () => {
    expect(built.image).toBe(`${registry.host}/slipway/slipway:test@${built.digest}`);
    expect(built.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(again.digest).toBe(built.digest);
    const head = (await exec('git', ['log', '-1', '--format=%H %ct'], { cwd: REPO_ROOT })).stdout.trim().split(' ');
    expect([built.revision, String(built.sourceDateEpoch)]).toEqual(head);

    // skopeo takes a digest or a tag, not both.
    const pinned = `docker://${registry.host}/slipway/slipway@${built.digest}`;
    const index = await skopeo('--raw', pinned);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m: any) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);

    const arm = await skopeo('--override-os', 'linux', '--override-arch', 'arm64', pinned);
    expect(arm.Architecture).toBe('arm64');
    const amd = await skopeo('--override-os', 'linux', '--override-arch', 'amd64', '--config', pinned);
    expect(amd.config).toMatchObject({ User: '1000:1000', WorkingDir: '/app', Entrypoint: ['node', 'bin/slipway.cjs'], Cmd: ['serve'], ExposedPorts: { '8420/tcp': {} } });
    expect(amd.config.Env).toEqual(expect.arrayContaining(['SLIPWAY_HOME=/var/lib/slipway', 'NODE_ENV=production']));
    const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;
    expect(amd.config.Labels).toMatchObject({
      'org.opencontainers.image.version': version,
      'org.opencontainers.image.revision': head[0],
      'org.opencontainers.image.created': new Date(Number(head[1]) * 1000).toISOString().replace('.000Z', 'Z'),
    });
    expect(amd.created).toBe(amd.config.Labels['org.opencontainers.image.created']);
  });

  it('carries the production packages only, and no node of its own', () => {
    for (const path of ['dist/cli/slipway.cjs', 'dist/web/index.html', 'bin/slipway.cjs', 'templates/timer/template.json', 'schemas/crds', 'node_modules/zod/package.json', 'node_modules/hono/package.json']) {
      expect(existsSync(join(stage, path)), path).toBe(true);
    }
    for (const path of ['node_modules/vitest', 'node_modules/typescript', 'node_modules/rolldown', 'node_modules/node', 'node_modules/.bin', 'src/app/compose-build.test.ts']) {
      expect(existsSync(join(stage, path)), path).toBe(false);
    }
  });

  it('runs as uid 1000 on a read-only root: refuses 0.0.0.0 without a token, then serves /readyz and the web page with one', async () => {
    const state = stateVolume();
    // A minimal local-target configuration that listens on every address, as in a cluster.
    writeFileSync(join(state, 'slipway.yaml'), 'local:\n  runtime: process\nserver:\n  host: 0.0.0.0\n  port: 8420\n');
    const locked = ['--user', '1000:1000', '--read-only', '--tmpfs', '/tmp', '--volume', `${state}:/var/lib/slipway`];

    const refused = await podman('run', '--rm', ...locked, imageId);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without API tokens/);

    const created = await podman('run', '--rm', ...locked, imageId, 'token', 'create', '--name', 'ops', '--scope', 'admin', '--json');
    expect(created.code, created.stderr).toBe(0);
    const { token } = JSON.parse(created.stdout);

    const port = await freePort();
    const name = `slipway-image-test-${process.pid}`;
    containers.push(name);
    const started = await podman('run', '--detach', '--name', name, ...locked, '--publish', `127.0.0.1:${port}:8420`, imageId);
    expect(started.code, started.stderr).toBe(0);
    const url = `http://127.0.0.1:${port}`;
    const ready = await until(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 60_000);
    expect(ready, (await podman('logs', name)).stderr).toBe(true);
    const inspect = JSON.parse((await podman('inspect', name)).stdout)[0];
    expect(inspect.Config.User).toBe('1000:1000');
    expect(inspect.HostConfig.ReadonlyRootfs).toBe(true);

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await asset.text()).length).toBeGreaterThan(1000);

    expect((await fetch(`${url}/v1/apps`)).status).toBe(401);
    const apps = await fetch(`${url}/v1/apps`, { headers: { authorization: `Bearer ${token}` } });
    expect(apps.status).toBe(200);
    expect(await apps.json()).toEqual({ apps: [] });

    // The page renders in a browser from what the image serves.
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(error.message));
      await tab.goto(`${url}/`);
      await tab.waitForFunction(() => (document.querySelector('#root')?.childElementCount ?? 0) > 0);
      expect(await tab.title()).toBe('Slipway');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('builds an app inside itself with no privileges: no capabilities, no new privileges, a read-only root', async () => {
    const target = `${registry.host}/apps/timer:1`;
    // A generated app's folder, as a person would mount it: read-only, readable by uid 1000.
    const generator = new TemplateGenerator({ templatesDir: join(REPO_ROOT, 'templates') });
    const { files } = await generator.generate(await generator.plan({ description: 'a pomodoro timer' }), { name: 'timer', description: 'a pomodoro timer' });
    const source = mkdtempSync(join(tmpdir(), 'slipway-image-app-'));
    for (const file of files) {
      mkdirSync(dirname(join(source, file.path)), { recursive: true, mode: 0o755 });
      writeFileSync(join(source, file.path), file.content, { mode: 0o644 });
    }
    chmodSync(source, 0o755);
    const result = await podman(
      'run', '--rm', '--network', 'host', '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only', '--tmpfs', '/tmp',
      '--volume', `${source}:/src:ro`,
      imageId, 'build', '/src', '--image', target, '--base', base, '--insecure', '--platform', 'linux/amd64,linux/arm64', '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const app = JSON.parse(result.stdout);
    expect(app.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    const index = await skopeo('--raw', `docker://${target}`);
    expect(index.manifests).toHaveLength(2);
    const config = await skopeo('--override-os', 'linux', '--override-arch', 'arm64', '--config', `docker://${target}`);
    expect(config.architecture).toBe('arm64');
    expect(config.config.Entrypoint).toEqual(['node', 'server.js']);
  });
});

describe('npm run image refuses bad input before it stages anything', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no registry to push to', [], /no registry to push Slipway's image to\n {2}→ Pass --image <registry>\/slipway\/slipway:<tag>, or set registry.host/],
    ['an option it does not know', ['--image', 'registry.lan/slipway/slipway:1', '--tag', 'x'], /Unknown option '--tag'\n {2}→ npm run image -- \[--image/],
    ['a digest for --image', ['--image', `registry.lan/slipway/slipway@sha256:${'0'.repeat(64)}`], /--image must name a tag, not a digest/],
    ['the host base, which has no git', ['--image', 'registry.lan/slipway/slipway:1', '--base', 'host'], /--base host cannot carry Slipway.*\n {2}→ Use an image with Node 24 and git/],
    ['a --base naming no directory', ['--image', 'registry.lan/slipway/slipway:1', '--base', 'oci::v1'], /--base oci::v1 names no directory before the tag/],
  ];
  it.each(cases)('%s: exit 2 and what to fix', async (_what, args, message) => {
    const root = mkdtempSync(join(tmpdir(), 'slipway-image-input-'));
    const stage = join(root, 'stage');
    const result = await exec(process.execPath, ['scripts/image.ts', '--no-bundle', '--stage', stage, ...args], {
      cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, SLIPWAY_HOME: join(root, 'home') },
    }).then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(stage)).toBe(false);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await delay(250);
  }
  return false;
}
