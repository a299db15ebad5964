import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';

const run = promisify(execFile);
// The bundler runs on the Node 24 that `npm ci` installs (as `npm ci` itself runs it).
const NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');
const IMAGE = `registry.lan/apps/notes:1@sha256:${'a'.repeat(64)}`;

// A copy of the checkout (sources, bin, bundler; node_modules linked) so the test can edit
// sources and the bundle without touching the real one.
let root: string;
const env = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root });
const slipway = (...args: string[]) => run(process.execPath, [join(root, 'bin', 'slipway.cjs'), ...args], { cwd: root, env: env() });

/** Runs one command line through the bundle's entry; gives its exit code and the bundle files it loaded (hash left out). */
async function chunksLoadedBy(args: string[]): Promise<{ code: number; loaded: string[] }> {
  const program = `
    const { main } = require(${JSON.stringify(join(root, 'dist', 'cli', 'slipway.cjs'))});
    main(${JSON.stringify(args)}).then((code) => {
      const dir = ${JSON.stringify(join(root, 'dist', 'cli'))};
      const loaded = Object.keys(require.cache).filter((f) => f.startsWith(dir + '/')).map((f) => f.slice(dir.length + 1));
      process.stderr.write('\\n@@' + JSON.stringify({ code, loaded }));
    });`;
  const { stderr } = await run(process.execPath, ['-e', program], { cwd: root, env: env() });
  const { code, loaded } = JSON.parse(stderr.slice(stderr.lastIndexOf('@@') + 2)) as { code: number; loaded: string[] };
  return { code, loaded: loaded.map((file) => file.replace(/-[\w-]{8}\.cjs$/, '')).sort() };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-bundle-'));
  for (const part of ['bin', 'src', 'scripts', 'templates', 'schemas', 'prompts', 'package.json']) await cp(join(REPO_ROOT, part), join(root, part), { recursive: true });
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  await run(NODE, [join(root, 'scripts', 'bundle.ts')], { cwd: root });
}, 60_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the bundled command', () => {
  it('runs the bundle when there is one, end to end', async () => {
    // Mark the bundle: the mark shows, so the bundle ran and not the sources.
    const entry = join(root, 'dist', 'cli', 'slipway.cjs');
    await writeFile(entry, (await readFile(entry, 'utf8')).replace('.version("0.1.0")', '.version("0.1.0+bundle")'));
    expect((await slipway('--version')).stdout.trim()).toBe('0.1.0+bundle');

    // Templates and schemas resolve from src/ as they do from the sources.
    const rendered = await slipway('render', '--name', 'notes', '--image', IMAGE, '--out', join(root, 'gitops'), '--json');
    expect(JSON.parse(rendered.stdout)).toMatchObject({ app: 'notes', engine: 'flux' });

    // Bundling again takes the sources as they are now.
    await run(NODE, [join(root, 'scripts', 'bundle.ts')], { cwd: root });
    expect((await slipway('--version')).stdout.trim()).toBe('0.1.0');
  }, 60_000);

  it("loads a command's own chunks only when it runs", async () => {
    await run(NODE, [join(root, 'scripts', 'bundle.ts')], { cwd: root });
    // Help is the command line alone: no command's implementation.
    const help = await chunksLoadedBy(['build', '--help']);
    expect(help.code).toBe(0);
    expect(help.loaded).toContain('slipway.cjs');
    expect(help.loaded.filter((file) => /command/.test(file))).toEqual([]);

    const render = await chunksLoadedBy(['render', '--name', 'notes', '--image', IMAGE, '--out', join(root, 'gitops-chunks'), '--json']);
    expect(render.code).toBe(0);
    expect(render.loaded).toContain('render-command');
    for (const other of ['build-command', 'run-commands', 'query-commands', 'init-command', 'slipway-builder', 'compose']) expect(render.loaded).not.toContain(other);

    // build, refused for a missing folder (exit 2) once its implementation has loaded.
    const build = await chunksLoadedBy(['build', join(root, 'missing-dir'), '--image', 'oci:out:1']);
    expect(build.code).toBe(2);
    expect(build.loaded).toContain('build-command');
    for (const other of ['render-command', 'run-commands', 'query-commands', 'init-command', 'compose', 'render']) expect(build.loaded).not.toContain(other);
  }, 60_000);

  it('runs from the sources when there is no bundle', async () => {
    await rm(join(root, 'dist'), { recursive: true, force: true });
    const { stdout } = await slipway('build', '--help');
    expect(stdout).toContain('Usage: slipway build');
  }, 30_000);
});

/** A Node older than 24 on PATH (the system's), if this machine has one. */
function olderNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const major = Number(execFileSync(candidate, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim());
      if (major < 24) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

describe('on a Node older than 24', () => {
  const older = olderNode();
  it.skipIf(!older)('refuses to start, saying which Node to use, with exit 2', async () => {
    const result = await run(older!, [join(REPO_ROOT, 'bin', 'slipway.cjs'), '--version']).catch((error: { code: number; stderr: string }) => error);
    expect(result).toMatchObject({ code: 2 });
    expect((result as { stderr: string }).stderr).toMatch(/Slipway needs Node 24 or newer[\s\S]*node_modules\/\.bin\/node bin\/slipway\.cjs/);
  });
});
