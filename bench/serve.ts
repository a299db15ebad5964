/**
 * Benchmark (not a test): what `slipway serve` costs and how fast it answers, run as a user runs it.
 * Against a real server process on loopback, in a home whose state holds 1,000 apps:
 *   - GET /v1/apps: requests per second and p50/p95 latency with 10 clients at once, side by side with
 *     what a script does without a server (`slipway list --json`, one process per question);
 *   - the time to accept 50 concurrent POST /v1/apps (202 with a queued run each);
 *   - the server's RSS when idle, and its peak while 2 runs build (the 50 accepted runs; the cluster
 *     target without a cluster, so each ends once its manifests are committed).
 *
 * node_modules/.bin/node bench/serve.ts [--requests 2000] [--clients 10]
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { openDatabase } from '../src/adapters/store/sqlite-database.ts';
import { SqliteAppStore } from '../src/adapters/store/sqlite-app-store.ts';
import { cliEnv, tempHome, BIN } from '../test/support/cli.ts';
import { startServer } from '../test/support/serve.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, clients: { type: 'string', default: '10' } } });
const requests = Math.max(1, Number(values.requests));
const clients = Math.max(1, Number(values.clients));

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const rssMiB = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

const opts = tempHome('slipway-bench-serve-');
const gitops = join(opts.cwd, 'homelab.git');
mkdirSync(gitops);
execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', gitops]);
writeFileSync(join(opts.cwd, 'slipway.yaml'), ['target: cluster', 'git:', '  gitops:', `    url: ${gitops}`, 'server:', '  concurrency: 2', '  rateLimit: { perMinute: 1000000 }'].join('\n') + '\n');

// 1,000 apps in the state file, as a homelab that has made them would have.
mkdirSync(opts.home, { recursive: true });
const db = openDatabase(join(opts.home, 'state.db'));
const apps = new SqliteAppStore({ db });
const at = new Date().toISOString();
for (let i = 0; i < 1000; i++) {
  const name = `app-${String(i).padStart(4, '0')}`;
  await apps.upsert({
    name, description: `app number ${i}`, template: 'timer', state: 'running', target: 'cluster', url: `https://${name}.apps.k8s-lab.dev/`,
    commits: { source: 'a'.repeat(40), gitops: 'b'.repeat(40) }, lastRunId: 'run-20261206040000-aaaaaa', createdAt: at, updatedAt: at,
  });
}
db.close();

const server = await startServer(opts);
const pid = server.child.pid!;
try {
  await fetch(`${server.url}/v1/apps`).then((r) => r.arrayBuffer());
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idleRss = rssMiB(pid);

  // GET /v1/apps, `clients` at once.
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < requests) {
      next += 1;
      const t = performance.now();
      const response = await fetch(`${server.url}/v1/apps`);
      const body = (await response.json()) as { apps: unknown[] };
      if (response.status !== 200 || body.apps.length !== 1000) throw new Error(`GET /v1/apps answered ${response.status} with ${body.apps.length} apps`);
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const rps = Math.round(latencies.length / seconds);

  // The same question without a server: one `slipway list --json` process each.
  const cliSamples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await run(process.execPath, [BIN, 'list', '--json'], { cwd: opts.cwd, env: cliEnv(opts.home), maxBuffer: 64 * 1024 * 1024 });
    cliSamples.push(performance.now() - t);
  }

  // 50 creates at once: the time until every one is accepted, then the peak RSS while they build.
  let peakRss = rssMiB(pid);
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, rssMiB(pid)); }, 50);
  const acceptStarted = performance.now();
  const accepted = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
    const response = await fetch(`${server.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ template: 'static-site', name: `bench-${i}` }) });
    if (response.status !== 202) throw new Error(`POST /v1/apps answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { runId: string };
  }));
  const acceptMs = Math.round(performance.now() - acceptStarted);
  const buildStarted = performance.now();
  for (;;) {
    const page = (await (await fetch(`${server.url}/v1/runs?limit=200`)).json()) as { runs: Array<{ status: string }> };
    if (page.runs.filter((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status)).length >= accepted.length) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const buildSeconds = (performance.now() - buildStarted) / 1000;
  clearInterval(sampler);

  const summary = {
    getApps: { apps: 1000, requests: latencies.length, clients, rps, p50Ms: +percentile(latencies, 50).toFixed(1), p95Ms: +percentile(latencies, 95).toFixed(1) },
    cliList: { medianMs: Math.round(percentile(cliSamples, 50)) },
    accept50Ms: acceptMs,
    runs50: { seconds: +buildSeconds.toFixed(1), perRunMs: Math.round((buildSeconds * 1000) / 50) },
    rssMiB: { idle: idleRss, peakWhileTwoRunsBuild: peakRss },
  };
  const ratio = (percentile(cliSamples, 50) / percentile(latencies, 50)).toFixed(0);
  process.stdout.write(`slipway serve with 1,000 apps in its state (${clients} clients, ${latencies.length} requests):\n`);
  process.stdout.write(`  GET /v1/apps: ${rps} req/s, p50 ${summary.getApps.p50Ms} ms, p95 ${summary.getApps.p95Ms} ms; \`slipway list --json\` per question: ${summary.cliList.medianMs} ms (${ratio}× the p50)\n`);
  process.stdout.write(`  50 concurrent POST /v1/apps accepted in ${acceptMs} ms; their runs (2 at once) took ${summary.runs50.seconds} s\n`);
  process.stdout.write(`  RSS: ${idleRss} MiB idle (goal ≤ 100), ${peakRss} MiB at most while 2 runs build\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  await server.stop();
  rmSync(opts.cwd, { recursive: true, force: true });
}
