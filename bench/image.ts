/**
 * Benchmark (not a test): Slipway's own image built from one staged folder (what `npm run image`
 * stages: the bundled command, web page and production packages) by Slipway's builder and by
 * `buildah bud` + `buildah push`, on the same base, each into a docker-registry of its own that this
 * script starts on loopback. Measured per builder: the first build with empty caches (seconds, and
 * the bytes the registry stored for it), then rebuilds of the same folder under a fresh tag, the two
 * builders taking turns so a machine that slows down weighs on both alike. One platform
 * (linux/amd64), as buildah builds one per `bud`.
 *
 * node_modules/.bin/node bench/image.ts [--runs 3]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { findInPath } from '../src/adapters/os/index.ts';
import { OciRegistry } from '../src/adapters/registry/oci-registry.ts';
import { stageSlipway } from '../scripts/image/stage.ts';
import { ensureBaseInRegistry } from '../test/support/base-image.ts';
import { startRegistry, type RegistryServer } from '../test/support/registry-server.ts';
import { median, spawnChecked, timed } from './measure.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(values.runs));
const root = join(import.meta.dirname, '..');
const node = join(root, 'node_modules', '.bin', 'node');
const PATH = process.env.PATH ?? '/usr/bin:/bin';

/** Seconds `action` takes. */
async function seconds(action: () => Promise<unknown>): Promise<number> {
  return (await timed(action)) / 1000;
}

/** Bytes of the blobs a registry stores. */
async function storedBytes(server: RegistryServer): Promise<number> {
  const blobs = join(server.storageDir, 'docker', 'registry', 'v2', 'blobs');
  let total = 0;
  for (const entry of await readdir(blobs, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile() && entry.name === 'data') total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

const buildah = findInPath('buildah', PATH);
if (!buildah) throw new Error('buildah is not installed: this benchmark compares Slipway\'s builder with it');
await run(node, [join(root, 'scripts', 'bundle.ts')]);
const work = await mkdtemp(join(tmpdir(), 'slipway-bench-image-'));
const servers = { slipway: await startRegistry({ mode: 'plain' }), buildah: await startRegistry({ mode: 'plain' }) };
try {
  const stage = join(work, 'stage');
  const staged = await stageSlipway(root, stage);
  const bases = {
    slipway: await ensureBaseInRegistry(new OciRegistry({ insecureRegistries: [servers.slipway.host] }), servers.slipway.host, 'base/node'),
    buildah: await ensureBaseInRegistry(new OciRegistry({ insecureRegistries: [servers.buildah.host] }), servers.buildah.host, 'base/node'),
  };
  let tags = 0;
  const slipwayEnv = { ...process.env, SLIPWAY_CACHE: join(work, 'cache'), SLIPWAY_HOME: join(work, 'home') };
  // `slipway build` on the staged folder with the settings `npm run image` gives.
  const slipwayOnce = () => spawnChecked(node, [
    join(root, 'bin', 'slipway.cjs'), 'build', stage, '--image', `${servers.slipway.host}/slipway/slipway:t${++tags}`, '--base', bases.slipway.hostRef,
    '--insecure', '--platform', 'linux/amd64', '--entrypoint', 'node bin/slipway.cjs serve', '--json',
  ], slipwayEnv);
  const dockerfile = join(work, 'Dockerfile');
  await writeFile(dockerfile, `FROM ${bases.buildah.hostRef}\nWORKDIR /app\nCOPY . /app\nUSER 1000:1000\nENV NODE_ENV=production SLIPWAY_HOME=/var/lib/slipway\nENTRYPOINT ["node", "bin/slipway.cjs", "serve"]\nEXPOSE 8420\n`);
  const storage = ['--root', join(work, 'buildah-root'), '--runroot', join(work, 'buildah-run')];
  const buildahOnce = async () => {
    const tag = `t${++tags}`;
    await spawnChecked(buildah, [...storage, 'bud', '--isolation', 'chroot', '--timestamp', '0', '--tls-verify=false', '-f', dockerfile, '-t', `localhost/slipway:${tag}`, stage]);
    await spawnChecked(buildah, [...storage, 'push', '--tls-verify=false', `localhost/slipway:${tag}`, `docker://${servers.buildah.host}/slipway/slipway:${tag}`]);
  };

  const before = { slipway: await storedBytes(servers.slipway), buildah: await storedBytes(servers.buildah) };
  const first = { slipway: await seconds(slipwayOnce), buildah: await seconds(buildahOnce) };
  const pushed = { slipway: (await storedBytes(servers.slipway)) - before.slipway, buildah: (await storedBytes(servers.buildah)) - before.buildah };
  const again = { slipway: [] as number[], buildah: [] as number[] };
  for (let i = 0; i < runs; i++) {
    again.slipway.push(await seconds(slipwayOnce));
    again.buildah.push(await seconds(buildahOnce));
  }
  await run(buildah, [...storage, 'rmi', '--all', '--force']).catch(() => undefined);

  const summary = {
    runs, packages: staged.packages,
    firstBuild: { slipwaySeconds: first.slipway, buildahSeconds: first.buildah, ratio: Number((first.buildah / first.slipway).toFixed(2)) },
    bytesStored: { slipway: pushed.slipway, buildah: pushed.buildah, ratio: Number((pushed.buildah / pushed.slipway).toFixed(2)) },
    sameFolderAgain: { slipwayMedianSeconds: median(again.slipway), buildahMedianSeconds: median(again.buildah), ratio: Number((median(again.buildah) / median(again.slipway)).toFixed(2)) },
    samples: again,
  };
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  process.stdout.write(`Slipway's image (${staged.packages} production packages), linux/amd64, build + push:\n`);
  process.stdout.write(`  first build:  slipway ${first.slipway} s, buildah ${first.buildah} s (buildah / slipway = ${summary.firstBuild.ratio})\n`);
  process.stdout.write(`  bytes stored: slipway ${mb(pushed.slipway)}, buildah ${mb(pushed.buildah)} (buildah / slipway = ${summary.bytesStored.ratio})\n`);
  process.stdout.write(`  again (${runs} runs, medians): slipway ${summary.sameFolderAgain.slipwayMedianSeconds} s, buildah ${summary.sameFolderAgain.buildahMedianSeconds} s (buildah / slipway = ${summary.sameFolderAgain.ratio})\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await servers.slipway.stop();
  await servers.buildah.stop();
  await rm(work, { recursive: true, force: true });
}
