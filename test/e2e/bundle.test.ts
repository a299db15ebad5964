import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';

const run = promisify(execFile);
// The bundler runs on the Node 24 that `npm ci` installs (as `npm ci` itself runs it).
const NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');

// A copy of the checkout (sources, bin, bundler; node_modules linked) so the test can edit
// sources and bundle without touching the real one.
let root: string;
const slipway = (...args: string[]) => run(process.execPath, [join(root, 'bin', 'slipway.cjs'), ...args], { cwd: root, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root } });

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
  it('runs the bundle while it matches the sources, and the sources as soon as one changes', async () => {
    const record = JSON.parse(await readFile(join(root, 'dist', 'cli', 'inputs.json'), 'utf8')) as { inputs: Array<[string, number, number]> };
    expect(record.inputs.map(([file]) => file)).toContain('src/cli/main.ts');
    expect(record.inputs.map(([file]) => file)).toContain('src/adapters/image-builder/slipway-builder.ts');

    // Mark the bundle: while the sources are unchanged, the mark shows.
    const entry = join(root, 'dist', 'cli', 'slipway.cjs');
    await writeFile(entry, (await readFile(entry, 'utf8')).replace("version: '0.1.0'", "version: '0.1.0+bundle'").replace('version: "0.1.0"', 'version: "0.1.0+bundle"'));
    expect((await slipway('--version')).stdout.trim()).toBe('0.1.0+bundle');

    // The same command works from the bundle end to end: templates and schemas resolve from src/.
    const rendered = await slipway('render', '--name', 'notes', '--image', `registry.lan/apps/notes:1@sha256:${'a'.repeat(64)}`, '--out', join(root, 'gitops'), '--json');
    expect(JSON.parse(rendered.stdout)).toMatchObject({ app: 'notes', engine: 'flux' });

    // An edited source file makes the bundle stale: the sources run, edit included.
    const main = join(root, 'src', 'cli', 'main.ts');
    await writeFile(main, (await readFile(main, 'utf8')).replace("version: '0.1.0'", "version: '0.1.0+source'"));
    expect((await slipway('--version')).stdout.trim()).toBe('0.1.0+source');

    // Bundling again picks the edit up.
    await run(NODE, [join(root, 'scripts', 'bundle.ts')], { cwd: root });
    expect((await slipway('--version')).stdout.trim()).toBe('0.1.0+source');
    expect(await readFile(join(root, 'dist', 'cli', 'slipway.cjs'), 'utf8')).toContain('0.1.0+source');
  }, 60_000);

  it("checks only the sources a command can load: an edit elsewhere keeps that command on the bundle", async () => {
    await run(NODE, [join(root, 'scripts', 'bundle.ts')], { cwd: root });
    const record = JSON.parse(await readFile(join(root, 'dist', 'cli', 'inputs.json'), 'utf8')) as { inputs: Array<[string, number, number]>; commands: Record<string, number[]> };
    const buildFiles = record.commands.build?.map((i) => record.inputs[i]?.[0]) ?? [];
    expect(buildFiles).toEqual(expect.arrayContaining(['src/cli/main.ts', 'src/cli/commands/build-command.ts', 'src/adapters/registry/http-client.ts', 'src/config/load.ts']));
    expect(buildFiles).not.toContain('src/render/deployment.ts');
    expect(record.inputs.map(([file]) => file)).toContain('src/render/deployment.ts');

    // Mark the bundle's build command; the mark shows while the bundle runs.
    const entry = join(root, 'dist', 'cli', 'slipway.cjs');
    await writeFile(entry, (await readFile(entry, 'utf8')).replace('build a directory into an OCI image', 'BUNDLED build a directory into an OCI image'));
    const buildHelp = async () => (await slipway('build', '--help')).stdout;
    expect(await buildHelp()).toContain('BUNDLED');

    // An edit the build command cannot load: build stays on the bundle; a command that checks all runs the sources.
    const renderer = join(root, 'src', 'render', 'deployment.ts');
    await writeFile(renderer, `${await readFile(renderer, 'utf8')}\n// edited\n`);
    expect(await buildHelp()).toContain('BUNDLED');
    expect((await slipway('help', 'build')).stdout).not.toContain('BUNDLED');

    // An edit the build command loads: it runs the sources.
    const client = join(root, 'src', 'adapters', 'registry', 'http-client.ts');
    await writeFile(client, `${await readFile(client, 'utf8')}\n// edited\n`);
    expect(await buildHelp()).not.toContain('BUNDLED');
  }, 60_000);

  it('keeps a V8 code cache per chunk after its first run, and writes a refused one anew', async () => {
    await run(NODE, [join(root, 'scripts', 'bundle.ts')], { cwd: root });
    const caches = join(root, 'dist', 'cli', '.v8');
    const rendered = await slipway('render', '--name', 'notes', '--image', `registry.lan/apps/notes:1@sha256:${'a'.repeat(64)}`, '--out', join(root, 'gitops-cached'), '--json');
    expect(JSON.parse(rendered.stdout)).toMatchObject({ app: 'notes' });
    const written = await readdir(caches);
    expect(written).toContain('slipway.cjs.cache');
    expect(written.some((name) => name.startsWith('render-command-'))).toBe(true);
    expect(written.filter((name) => !name.endsWith('.cache'))).toEqual([]);

    // A cache that does not match (here: garbage) is refused by V8: the command runs as before and the cache is written again.
    const entryCache = join(caches, 'slipway.cjs.cache');
    await writeFile(entryCache, 'not a code cache');
    expect((await slipway('--version')).stdout).toMatch(/^0\.1\.0/);
    expect((await readFile(entryCache)).length).toBeGreaterThan(1000);
    expect((await slipway('--version')).stdout).toMatch(/^0\.1\.0/);
  }, 60_000);

  it('runs from the sources when there is no bundle', async () => {
    await rm(join(root, 'dist'), { recursive: true, force: true });
    const { stdout } = await slipway('build', '--help');
    expect(stdout).toContain('Usage: slipway build');
  }, 30_000);
});
