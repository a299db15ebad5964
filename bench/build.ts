/**
 * Benchmark (not a test): how long one image build + push takes with `slipway build` versus
 * `buildah bud` + `buildah push`, for the same template app (the timer Slipway makes from "a pomodoro
 * timer with a dark theme") on the same base image, against a docker-registry this script starts on
 * loopback. Each build is one command, as a user runs it, pushing a fresh tag. Two cases:
 *
 * - same app, fresh tag each run: what it costs to publish an app again (a redeploy, a retag);
 * - new app version each run: one file of the app changes before every build (a code change).
 *
 * The two builders take turns run by run, so a machine that slows down or speeds up weighs on both
 * alike. Two yardsticks take their turns in the same-app case: Node starting an empty program, and
 * bench/floor-program.cjs, the least a Node program can do to publish the same image again (the
 * requests Slipway makes, nothing else): no Node command can beat them on this machine. One warm-up build per builder is not counted (Slipway's caches and buildah's copy of the
 * base are then warm) but shown as the first-build time. Also measured: the new-version build and a
 * no-change rebuild inside one running process, as Slipway's pipeline runs them.
 *
 * node_modules/.bin/node bench/build.ts [--runs 9]
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { TemplateGenerator } from '../src/adapters/generator/template-generator.ts';
import { SlipwayBuilder } from '../src/adapters/image-builder/slipway-builder.ts';
import { findInPath } from '../src/adapters/os/index.ts';
import { OciRegistry } from '../src/adapters/registry/oci-registry.ts';
import { ensureBaseInRegistry } from '../test/support/base-image.ts';
import { startRegistry } from '../test/support/registry-server.ts';
import { median, spawnChecked, timed } from './measure.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Math.max(1, Number(values.runs));
const root = join(import.meta.dirname, '..');
const node = join(root, 'node_modules', '.bin', 'node');
const cli = join(root, 'bin', 'slipway.cjs');
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const DESCRIPTION = 'a pomodoro timer with a dark theme';

/** Writes the app Slipway's templates make from DESCRIPTION into `dir`. */
async function writeTemplateApp(dir: string): Promise<string> {
  const generator = new TemplateGenerator({ templatesDir: join(root, 'templates') });
  const plan = await generator.plan({ description: DESCRIPTION });
  const { files } = await generator.generate(plan, { name: 'pomodoro-timer', description: DESCRIPTION });
  for (const file of files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.content);
  }
  return plan.template.id;
}

// The command as `npm ci` leaves it: bundled (again, in case a source changed since).
await run(node, [join(root, 'scripts', 'bundle.ts')]);

const work = await mkdtemp(join(tmpdir(), 'slipway-bench-'));
const server = await startRegistry({ mode: 'plain' });
try {
  const registry = new OciRegistry({ insecureRegistries: [server.host] });
  const base = await ensureBaseInRegistry(registry, server.host, 'base/node');
  const app = join(work, 'app');
  const template = await writeTemplateApp(app);
  const cache = join(work, 'cache');
  const setVersion = (label: string) => writeFile(join(app, 'public', 'version.txt'), `${label}\n`);
  let tags = 0;
  const freshTag = () => `t${++tags}`;

  // Exactly what a user runs: `slipway build <dir> --image <ref> --base <ref> --insecure`.
  const slipwayEnv = { ...process.env, SLIPWAY_CACHE: cache, SLIPWAY_HOME: join(work, 'home') };
  const slipwayOnce = () =>
    spawnChecked(node, [cli, 'build', app, '--image', `${server.host}/bench/slipway:${freshTag()}`, '--base', base.hostRef, '--insecure', '--platform', 'linux/amd64', '--json'], slipwayEnv);

  const buildah = findInPath('buildah', PATH);
  const dockerfile = join(work, 'Dockerfile');
  await writeFile(dockerfile, `FROM ${base.hostRef}\nWORKDIR /app\nCOPY . /app\nUSER 1000:1000\nENV PORT=8080 NODE_ENV=production\nENTRYPOINT ["node", "server.js"]\nEXPOSE 8080\n`);
  const storage = ['--root', join(work, 'buildah-root'), '--runroot', join(work, 'buildah-run')];
  const buildahOnce = async () => {
    const tag = freshTag();
    await spawnChecked(buildah as string, [...storage, 'bud', '--isolation', 'chroot', '--timestamp', '0', '--tls-verify=false', '-f', dockerfile, '-t', `localhost/bench:${tag}`, app]);
    await spawnChecked(buildah as string, [...storage, 'push', '--tls-verify=false', `localhost/bench:${tag}`, `docker://${server.host}/bench/buildah:${tag}`]);
  };

  await setVersion('warm-up');
  const slipwayFirstMs = await timed(slipwayOnce);
  const buildahFirstMs = buildah ? await timed(buildahOnce) : null;

  // The builders take turns; `change` runs before each build, untimed.
  const alternate = async (change: (label: string) => Promise<void>) => {
    const slipway: number[] = [];
    const other: number[] = [];
    for (let i = 0; i < runs; i++) {
      await change(`slipway ${i}`);
      slipway.push(await timed(slipwayOnce));
      if (!buildah) continue;
      await change(`buildah ${i}`);
      other.push(await timed(buildahOnce));
    }
    return { slipway, buildah: other };
  };
  const changed = await alternate(setVersion);
  // A redeploy of an app nobody is editing.
  await setVersion('same');
  await slipwayOnce();

  // The same app, fresh tag: Slipway and buildah take turns with two yardsticks, Node starting an
  // empty program, and the least a Node program can do to publish the image again (floor-program.cjs).
  const lastTag = `t${tags}`;
  const published = await registry.getManifest(server.host, 'bench/slipway', lastTag);
  const manifestFile = join(work, 'floor-manifest.json');
  await writeFile(manifestFile, published.bytes);
  const emptyProgram = join(work, 'empty.cjs');
  await writeFile(emptyProgram, '');
  const [baseRepository, baseTag] = base.hostRef.slice(server.host.length + 1).split(':') as [string, string];
  const floorOnce = () => spawnChecked(node, [join(root, 'bench', 'floor-program.cjs'), server.host, baseRepository, baseTag, 'bench/slipway', freshTag(), manifestFile, app]);
  const same = { slipway: [] as number[], buildah: [] as number[], floor: [] as number[], nodeStart: [] as number[] };
  for (let i = 0; i < runs; i++) {
    same.slipway.push(await timed(slipwayOnce));
    if (buildah) same.buildah.push(await timed(buildahOnce));
    same.floor.push(await timed(floorOnce));
    same.nodeStart.push(await timed(() => spawnChecked(node, [emptyProgram])));
  }

  const builder = new SlipwayBuilder({ registry, cacheDir: join(cache, 'layers') });
  const request = {
    contextDir: app, base: base.hostRef, platforms: ['linux/amd64' as const], workdir: '/app', entrypoint: ['node', 'server.js'], exposedPorts: [8080],
    target: { kind: 'registry' as const, ref: { registry: server.host, repository: 'bench/slipway', tag: 'same' } },
  };
  const inProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    await setVersion(`in-process ${i}`);
    inProcess.push(await timed(() => builder.build({ ...request, target: { ...request.target, ref: { ...request.target.ref, tag: freshTag() } } })));
  }
  await builder.build(request);
  const noChange: number[] = [];
  for (let i = 0; i < runs; i++) noChange.push(await timed(() => builder.build(request)));
  if (buildah) await run(buildah, [...storage, 'rmi', '--all', '--force']).catch(() => undefined);

  const ratio = (a: number[], b: number[]) => (b.length ? Number((median(b) / median(a)).toFixed(2)) : null);
  const summary = {
    runs,
    app: `template ${template}`,
    sameApp: {
      slipwayMedianMs: median(same.slipway), buildahMedianMs: buildah ? median(same.buildah) : null, ratio: ratio(same.slipway, same.buildah),
      floorMedianMs: median(same.floor), floorRatio: ratio(same.floor, same.buildah), nodeStartMedianMs: median(same.nodeStart),
    },
    newVersion: { slipwayMedianMs: median(changed.slipway), buildahMedianMs: buildah ? median(changed.buildah) : null, ratio: ratio(changed.slipway, changed.buildah) },
    slipwayInProcessMedianMs: median(inProcess),
    noChangeRebuildMedianMs: median(noChange),
    firstBuildMs: { slipway: slipwayFirstMs, buildah: buildahFirstMs },
    samples: { same, changed, inProcess, noChange },
  };
  const line = (label: string, s: { slipwayMedianMs: number; buildahMedianMs: number | null; ratio: number | null }) =>
    `  ${label} slipway ${s.slipwayMedianMs} ms, buildah bud + push ${s.buildahMedianMs ?? '-'} ms  (buildah / slipway = ${s.ratio ?? '-'})\n`;
  process.stdout.write(`build + push of the ${template} template app, one command per build, fresh tag each run (${runs} runs each, medians):\n`);
  process.stdout.write(line('same app:      ', summary.sameApp));
  process.stdout.write(`    yardsticks: Node starting an empty program ${summary.sameApp.nodeStartMedianMs} ms; the least a Node program can do to publish it again (bench/floor-program.cjs) ${summary.sameApp.floorMedianMs} ms (buildah / it = ${summary.sameApp.floorRatio ?? '-'})\n`);
  process.stdout.write(line('new version:   ', summary.newVersion));
  if (!buildah) process.stdout.write('  buildah: not installed, skipped\n');
  process.stdout.write(`inside a running process: new version ${summary.slipwayInProcessMedianMs} ms, no-change rebuild ${summary.noChangeRebuildMedianMs} ms\n`);
  process.stdout.write(`first build (empty caches; buildah pulls the base): slipway ${slipwayFirstMs} ms, buildah ${buildahFirstMs ?? '-'} ms\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await server.stop();
  await rm(work, { recursive: true, force: true });
}
