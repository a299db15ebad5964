import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError } from '../../domain/index.ts';
import type { VerifyCheck } from '../../ports/index.ts';
import { describeAnswer, formatSeconds, probe, type ProbeAnswer } from './http-probe.ts';
import { metricsEndpoint } from './metrics-probe.ts';
import { boundDetail } from './output-tail.ts';
import { describeExit, SpawnedProgram, type ProgramOptions } from './program.ts';

export interface AppProbeOptions {
  nodeBinary: string;
  /** Arguments after `node` (the app's command without its first word). */
  args: string[];
  cwd: string;
  env: Record<string, string>;
  host: string;
  port: number;
  startTimeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Cleans a detail before it is recorded (e.g. replaces the scratch path). */
  clean: (text: string) => string;
  /** Where the started app is written down while it runs (see ProcessLedger). */
  ledger?: ProgramOptions['ledger'];
}

/** Limit for one request to a running app. */
const REQUEST_TIMEOUT_MS = 5000;
/** Pause between /healthz polls. */
const POLL_MS = 100;

/** What probing a running app found: its checks, and where it serves Prometheus metrics, if it does. */
export interface AppProbe {
  checks: VerifyCheck[];
  metrics?: { path: string };
}

/**
 * Starts the app, waits for `/healthz` to answer 2xx, then asks for `/` (2xx or 3xx) and, once it
 * passed, for `/metrics`, and stops the app. Returns the checks `start`, `GET /healthz`, `GET /` up
 * to the first one that failed; `/metrics` is no check (an app need not serve it), only a finding.
 * @example const { checks, metrics } = await probeApp({ nodeBinary, args: ['server.js'], cwd, env, host, port, startTimeoutMs: 15_000, clean: (t) => t });
 */
export async function probeApp(options: AppProbeOptions): Promise<AppProbe> {
  options.signal?.throwIfAborted();
  const started = Date.now();
  const app = await SpawnedProgram.start(options.nodeBinary, options.args, { cwd: options.cwd, env: options.env, ledger: options.ledger });
  const onAbort = () => void app.stop(1000);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const base = `http://${host}:${options.port}`;
  // A failed check ends the probe: the app is stopped first, so that what it printed just before
  // answering (still in the pipe on a busy machine) is in the detail too.
  const withOutput = async (headline: string) => {
    await app.stop();
    const output = options.clean(app.output()).trim();
    return output ? `${headline}\nThe app's output (last lines):\n${boundDetail(output, { maxLines: 50, maxBytes: 3000 })}` : `${headline}\nThe app printed nothing.`;
  };
  try {
    const health = await waitForHealth(app, `${base}/healthz`, started + options.startTimeoutMs, options.signal);
    const listenedMs = (health.listeningAt ?? Date.now()) - started;
    if (health.kind === 'exited' || health.kind === 'silent') {
      const headline = health.kind === 'exited'
        ? `the app ${describeExit(health.exit)} before answering /healthz.`
        : `the app did not listen on ${options.host}:${options.port} within ${formatSeconds(options.startTimeoutMs)}; it must listen on the port in $PORT, on the address in $HOST.`;
      if (health.listeningAt === undefined) return { checks: [{ name: 'start', ok: false, durationMs: Date.now() - started, detail: await withOutput(headline) }] };
    }
    const checks: VerifyCheck[] = [{ name: 'start', ok: true, durationMs: listenedMs }];
    if (health.kind !== 'healthy') {
      const headline = health.kind === 'exited'
        ? `the app ${describeExit(health.exit)} while /healthz was being asked.`
        : `/healthz gave no 2xx answer within ${formatSeconds(options.startTimeoutMs)}; the last request ${health.last ? describeAnswer(health.last) : 'got no answer'}.`;
      checks.push({ name: 'GET /healthz', ok: false, durationMs: Date.now() - started - listenedMs, detail: await withOutput(headline) });
      return { checks };
    }
    checks.push({ name: 'GET /healthz', ok: true, durationMs: health.at - started - listenedMs });
    const pageStarted = Date.now();
    const page = await probe(`${base}/`, REQUEST_TIMEOUT_MS);
    const pageOk = page.kind === 'answer' && page.status >= 200 && page.status < 400;
    if (!pageOk) {
      checks.push({ name: 'GET /', ok: false, durationMs: Date.now() - pageStarted, detail: await withOutput(`GET / must answer 2xx or 3xx, but the app ${describeAnswer(page)}`) });
      return { checks };
    }
    checks.push({ name: 'GET /', ok: true, durationMs: Date.now() - pageStarted });
    const metrics = await metricsEndpoint(base, REQUEST_TIMEOUT_MS);
    return metrics ? { checks, metrics } : { checks };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await app.stop();
  }
}

type Health =
  | { kind: 'healthy'; listeningAt: number; at: number }
  | { kind: 'exited'; exit: { code: number | null; signal: NodeJS.Signals | null }; listeningAt?: number; last?: ProbeAnswer }
  | { kind: 'silent'; listeningAt?: number; last?: ProbeAnswer };

/** Polls /healthz until it answers 2xx, the app exits (fail fast) or the deadline passes. */
async function waitForHealth(app: SpawnedProgram, url: string, deadline: number, signal: AbortSignal | undefined): Promise<Health> {
  let listeningAt: number | undefined;
  let last: ProbeAnswer | undefined;
  const seen = () => ({ ...(listeningAt !== undefined ? { listeningAt } : {}), ...(last ? { last } : {}) });
  for (;;) {
    if (signal?.aborted) throw new CancelledError('cancelled while verifying the app');
    const exit = app.exited();
    if (exit) return { kind: 'exited', exit, ...seen() };
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { kind: 'silent', ...seen() };
    const asked = Date.now();
    const answer = await probe(url, Math.min(REQUEST_TIMEOUT_MS, remaining));
    // Anything but a refused connection means something listens on the port (on loopback a
    // connection is accepted at once, so a request that timed out found the app listening).
    if (answer.kind !== 'refused') {
      listeningAt ??= answer.kind === 'timeout' ? asked : Date.now();
      // A request the deadline cut short says nothing about the app: what it answered before is told.
      const cutShort = answer.kind === 'timeout' && answer.afterMs < REQUEST_TIMEOUT_MS;
      if (!(cutShort && last)) last = answer;
    }
    if (answer.kind === 'answer' && answer.status >= 200 && answer.status < 300) return { kind: 'healthy', listeningAt: listeningAt ?? asked, at: Date.now() };
    await Promise.race([delay(POLL_MS), app.exit]);
  }
}
