/**
 * Benchmark (not a test): what one cluster-target `slipway create` costs, run as a user runs it. N
 * creates of the pomodoro template app (no model), one CLI process each, in one Slipway home, against
 * a docker-registry this script starts on loopback, two local bare repos as the source and GitOps
 * remotes, and a stand-in for Flux's webhook receiver (no cluster is watched, so a create ends with
 * gitops:sync). One warm-up create is not counted (it fills the layer and base caches). Printed per
 * create: the wall time of the command, the durations of its `image:build` and `manifests:render`
 * steps (from `slipway runs --json`), and the command's peak RSS (/usr/bin/time, when installed).
 *
 * node_modules/.bin/node bench/create.ts [--runs 20]
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ensureBaseImage } from '../test/support/base-image.ts';
import { startFakeFluxReceiver } from '../test/support/flux-receiver.ts';
import { createBareRepo } from '../test/support/git-fixtures.ts';
import { startRegistry } from '../test/support/registry-server.ts';
import { median } from './measure.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Math.max(1, Number(values.runs));
const root = join(import.meta.dirname, '..');
const node = join(root, 'node_modules', '.bin', 'node');
const cli = join(root, 'bin', 'slipway.cjs');
const TIME = '/usr/bin/time';
const TOKEN = 'bench-receiver-token';

const work = await mkdtemp(join(tmpdir(), 'slipway-bench-create-'));
const registry = await startRegistry({ mode: 'plain' });
const receiver = await startFakeFluxReceiver({ token: TOKEN, name: 'homelab-git-receiver', namespace: 'flux-system', type: 'github' });
try {
  const base = await ensureBaseImage();
  const home = join(work, 'home');
  await mkdir(home, { recursive: true });
  const source = await createBareRepo(join(work, 'apps.git'));
  const gitops = await createBareRepo(join(work, 'gitops.git'));
  await writeFile(join(work, 'slipway.yaml'), [
    'target: cluster',
    'git:', '  source:', `    url: ${source}`, '  gitops:', `    url: ${gitops}`,
    'registry:', `  host: ${registry.host}`, '  insecure: true',
    'image:', `  base: ${base.hostRef}`, `  platforms: [${base.hostPlatform}]`,
    'flux:', '  receiver:', `    url: ${receiver.hookUrl}`, '    type: github', '    token: { env: FLUX_RECEIVER_TOKEN }',
    'render:', '  appsDomain: apps.k8s-lab.dev',
  ].join('\n') + '\n');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, SLIPWAY_HOME: home, SLIPWAY_CACHE: join(work, 'cache'),
    FLUX_RECEIVER_TOKEN: TOKEN,
  };
  const slipway = (args: string[]) => run(node, [cli, ...args], { cwd: work, env, maxBuffer: 64 * 1024 * 1024 });
  const hasTime = existsSync(TIME);

  /** One create as its own process: wall time, manifests:render duration, peak RSS in MiB. */
  async function create(name: string): Promise<{ wallMs: number; buildMs: number; renderMs: number; rssMiB: number | null }> {
    const rssFile = join(work, 'rss');
    const started = performance.now();
    if (hasTime) await run(TIME, ['-f', '%M', '-o', rssFile, node, cli, 'create', 'a pomodoro timer with a dark theme', '--name', name, '--target', 'cluster', '--json'], { cwd: work, env, maxBuffer: 64 * 1024 * 1024 });
    else await slipway(['create', 'a pomodoro timer with a dark theme', '--name', name, '--target', 'cluster', '--json']);
    const wallMs = Math.round(performance.now() - started);
    const [latest] = JSON.parse((await slipway(['runs', name, '--json'])).stdout) as Array<{ status: string; timeline: Array<{ stepId: string; durationMs?: number }> }>;
    if (latest?.status !== 'succeeded') throw new Error(`create ${name} did not succeed: ${JSON.stringify(latest)}`);
    const renderMs = latest.timeline.find((s) => s.stepId === 'manifests:render')?.durationMs;
    const buildMs = latest.timeline.find((s) => s.stepId === 'image:build')?.durationMs;
    if (renderMs === undefined || buildMs === undefined) throw new Error(`no manifests:render or image:build step in the run of ${name}`);
    const rssMiB = hasTime ? Math.round(Number((await readFile(rssFile, 'utf8')).trim().split('\n').at(-1)) / 1024) : null;
    return { wallMs, buildMs, renderMs, rssMiB };
  }

  const first = await create('warm-up');
  const samples: Array<{ wallMs: number; buildMs: number; renderMs: number; rssMiB: number | null }> = [];
  for (let i = 1; i <= runs; i++) samples.push(await create(`pomodoro-${i}`));

  const rss = samples.map((s) => s.rssMiB).filter((r): r is number => r !== null);
  const summary = {
    runs,
    createMedianMs: median(samples.map((s) => s.wallMs)),
    buildStepMedianMs: median(samples.map((s) => s.buildMs)),
    renderStepMedianMs: median(samples.map((s) => s.renderMs)),
    peakRssMedianMiB: rss.length ? median(rss) : null,
    peakRssMaxMiB: rss.length ? Math.max(...rss) : null,
    warmUp: first,
    samples,
  };
  process.stdout.write(`cluster-target create of the pomodoro template, one CLI process each (${runs} runs, medians):\n`);
  process.stdout.write(`  create ${summary.createMedianMs} ms, image:build ${summary.buildStepMedianMs} ms, manifests:render ${summary.renderStepMedianMs} ms, peak RSS ${summary.peakRssMedianMiB ?? '-'} MiB (max ${summary.peakRssMaxMiB ?? '-'} MiB)\n`);
  process.stdout.write(`  warm-up create (empty caches, not counted): ${first.wallMs} ms, image:build ${first.buildMs} ms, manifests:render ${first.renderMs} ms\n`);
  if (!hasTime) process.stdout.write(`  peak RSS: ${TIME} is not installed, skipped\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await Promise.all([registry.stop(), receiver.close()]);
  await rm(work, { recursive: true, force: true });
}
