import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { RunOutcome } from '../../ports/index.ts';
import { createNotifier } from './index.ts';

/** One request a local receiver got: what a real service would see. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: URL;
  received: Received[];
  close(): Promise<void>;
}

/**
 * An HTTP server on 127.0.0.1 (port 0) that records each request and lets `answer` reply as the
 * service under test does.
 */
export async function startReceiver(answer: (request: Received, res: ServerResponse) => void): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      answer(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/`),
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A receiver verifying the signature as Slipway's signed intake is specified (its own code, not
 * Slipway's): HMAC-SHA256 of "<timestamp>.<raw body>", hex, compared in constant time, timestamp
 * within five minutes. 204 when it holds, 403 otherwise.
 */
export function verifying(secret: string) {
  return (request: Received, res: ServerResponse) => {
    const timestamp = String(request.headers['x-slipway-timestamp'] ?? '');
    const given = Buffer.from(String(request.headers['x-slipway-signature'] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`);
    const fresh = /^\d+$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
    const valid = fresh && given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(valid ? 204 : 403).end(valid ? undefined : 'bad signature');
  };
}

export { closedPort } from '../../../test/support/ports.ts';

/** A pino logger writing JSON lines into `lines`, as Slipway's log file would hold them. */
export function capturedLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

/** Retries in milliseconds, not seconds, so that the tests that exhaust them stay quick. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

export const SUCCEEDED: RunOutcome = { runId: 'run-20261206101500-k3x9q2', app: 'pomodoro-timer', kind: 'create', status: 'succeeded', url: 'http://127.0.0.1:40123/', durationMs: 83_000 };

export const FAILED: RunOutcome = {
  runId: 'run-20261206102000-a1b2c3',
  app: 'band-contact',
  kind: 'create',
  status: 'failed',
  durationMs: 4_200,
  error: { stepId: 'image:build', message: 'the base image <node:24> could not be pulled & cached', hint: 'Check registry.host in slipway.yaml, then `slipway resume run-20261206102000-a1b2c3`.' },
};

/** A notifier of the given targets with `env` for their secrets and quick retries. */
export function notifierFor(targets: Parameters<typeof createNotifier>[0], env: Record<string, string> = {}, logger?: pino.Logger) {
  return createNotifier(targets, { env, retry: FAST_RETRY, timeoutMs: 2_000, ...(logger ? { logger } : {}) });
}
