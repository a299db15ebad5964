/**
 * Benchmark (not a test): how long one image build + push takes with Slipway's daemonless builder
 * versus `buildah bud` + `buildah push`, for the same small app on the same base image, against a
 * docker-registry this script starts on loopback. Each timed run changes one file of the app and
 * pushes a fresh tag (a new version of an app being deployed); one warm-up run per builder is not
 * counted (Slipway's layer cache and buildah's copy of the base are then warm). Also measures the
 * same new-version build inside one running process (as Slipway's pipeline runs it), and a
 * no-change rebuild there.
 *
 * node_modules/.bin/node bench/build.ts [--runs 5]
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { SlipwayBuilder } from '../src/adapters/image-builder/slipway-builder.ts';
import { findInPath } from '../src/adapters/image-builder/buildah-builder.ts';
import { OciRegistry } from '../src/adapters/registry/oci-registry.ts';
import { ensureBaseInRegistry, writeTestApp } from '../test/support/base-image.ts';
import { startRegistry } from '../test/support/registry-server.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs));
const node = join(import.meta.dirname, '..', 'node_modules', '.bin', 'node');
const cli = join(import.meta.dirname, '..', 'bin', 'slipway.cjs');
const PATH = process.env.PATH ?? '/usr/bin:/bin';

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return Math.round(performance.now() - started);
}

function spawnChecked(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args[0]} exited ${code}: ${err.slice(-2000)}`))));
  });
}

const work = await mkdtemp(join(tmpdir(), 'slipway-bench-'));
const server = await startRegistry({ mode: 'plain' });
try {
  const registry = new OciRegistry({ insecureRegistries: [server.host] });
  const base = await ensureBaseInRegistry(registry, server.host, 'base/node');
  const app = join(work, 'app');
  await writeTestApp(app);
  const cache = join(work, 'cache');
  const setVersion = (label: string) => writeFile(join(app, 'public', 'version.txt'), `${label}\n`);

  // Exactly what a user runs: `slipway build <dir> --image <ref> --base <ref> --insecure`.
  const slipwayEnv = { ...process.env, SLIPWAY_CACHE: cache, SLIPWAY_HOME: join(work, 'home') };
  const slipwayOnce = (tag: string) =>
    spawnChecked(node, [cli, 'build', app, '--image', `${server.host}/bench/slipway:${tag}`, '--base', base.hostRef, '--insecure', '--platform', 'linux/amd64', '--json'], slipwayEnv);

  await setVersion('warm-up');
  const slipwayColdMs = await timed(() => slipwayOnce('warm-up'));
  const slipway: number[] = [];
  for (let i = 0; i < runs; i++) {
    await setVersion(`slipway ${i}`);
    slipway.push(await timed(() => slipwayOnce(`run-${i}`)));
  }

  const noChange: number[] = [];
  const builder = new SlipwayBuilder({ registry, cacheDir: join(cache, 'layers') });
  const request = {
    contextDir: app, base: base.hostRef, platforms: ['linux/amd64' as const], workdir: '/app', entrypoint: ['node', 'server.js'], exposedPorts: [8080],
    target: { kind: 'registry' as const, ref: { registry: server.host, repository: 'bench/slipway', tag: 'same' } },
  };
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    await setVersion(`in-process ${i}`);
    inProcess.push(await timed(() => builder.build({ ...request, target: { ...request.target, ref: { ...request.target.ref, tag: `in-process-${i}` } } })));
  }
  await builder.build(request);
  for (let i = 0; i < runs; i++) noChange.push(await timed(() => builder.build(request)));

  const buildah = findInPath('buildah', PATH);
  const buildahTimes: number[] = [];
  let buildahColdMs: number | null = null;
  if (buildah) {
    const dockerfile = join(work, 'Dockerfile');
    await writeFile(dockerfile, `FROM ${base.hostRef}\nWORKDIR /app\nCOPY . /app\nUSER 1000:1000\nENTRYPOINT ["node", "server.js"]\nEXPOSE 8080\n`);
    const storage = ['--root', join(work, 'buildah-root'), '--runroot', join(work, 'buildah-run')];
    const buildahOnce = async (tag: string) => {
      await spawnChecked(buildah, [...storage, 'bud', '--isolation', 'chroot', '--timestamp', '0', '--tls-verify=false', '-f', dockerfile, '-t', `localhost/bench:${tag}`, app]);
      await spawnChecked(buildah, [...storage, 'push', '--tls-verify=false', `localhost/bench:${tag}`, `docker://${server.host}/bench/buildah:${tag}`]);
    };
    await setVersion('warm-up');
    buildahColdMs = await timed(() => buildahOnce('warm-up'));
    for (let i = 0; i < runs; i++) {
      await setVersion(`buildah ${i}`);
      buildahTimes.push(await timed(() => buildahOnce(`run-${i}`)));
    }
    await run(buildah, [...storage, 'rmi', '--all', '--force']).catch(() => undefined);
  }

  const summary = {
    runs,
    slipwayMedianMs: median(slipway),
    buildahMedianMs: buildahTimes.length ? median(buildahTimes) : null,
    ratio: buildahTimes.length ? Number((median(buildahTimes) / median(slipway)).toFixed(2)) : null,
    slipwayInProcessMedianMs: median(inProcess),
    slipwayColdMs,
    buildahColdMs,
    noChangeRebuildMedianMs: median(noChange),
    samples: { slipway, buildah: buildahTimes, inProcess, noChange },
  };
  process.stdout.write(`build + push, new app version each run (${runs} runs, medians):\n`);
  process.stdout.write(`  slipway (one process per build): ${summary.slipwayMedianMs} ms\n`);
  process.stdout.write(buildah ? `  buildah bud + push:              ${summary.buildahMedianMs} ms  (buildah / slipway = ${summary.ratio})\n` : '  buildah: not installed, skipped\n');
  process.stdout.write(`  slipway in a running process:    ${summary.slipwayInProcessMedianMs} ms\n`);
  process.stdout.write(`  slipway no-change rebuild, in process: ${summary.noChangeRebuildMedianMs} ms\n`);
  process.stdout.write(`first build (empty layer cache; buildah pulls the base): slipway ${slipwayColdMs} ms, buildah ${buildahColdMs ?? '-'} ms\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await server.stop();
  await rm(work, { recursive: true, force: true });
}
