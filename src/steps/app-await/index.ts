import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { ExternalServiceError } from '../../domain/index.ts';
import { defineStep, stepOutput } from '../../pipeline/index.ts';
import type { AppRuntime } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';

/** The step's id and output, for readers of its stored output. */
export const awaitOutput = stepOutput('app:await', z.object({ url: z.string(), status: z.number(), waitedMs: z.number() }));

/**
 * Waits until the app answers `GET /healthz` with 2xx. Fails early, with the app's last log lines,
 * when the app's process has stopped.
 */
export const createAwaitHealthyStep = ({ runtime, timeoutMs, intervalMs = 100 }: { runtime: AppRuntime; timeoutMs: number; intervalMs?: number }) =>
  defineStep({
    ...awaitOutput,
    title: 'Wait until it answers',
    input: z.object({ app: AppName, url: z.string().url() }),
    summarize: (o) => `${o.status} after ${o.waitedMs} ms`,
    run: async (ctx) => {
      const health = new URL('healthz', ctx.input.url).href;
      const started = Date.now();
      let last = 'no answer yet';
      while (Date.now() - started < timeoutMs) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        try {
          const response = await fetch(health, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(2000)]) });
          await response.body?.cancel();
          if (response.ok) return { url: ctx.input.url, status: response.status, waitedMs: Date.now() - started };
          last = `GET /healthz answered ${response.status}`;
        } catch (error) {
          last = `GET /healthz failed: ${(error as Error).message}`;
          if ((await runtime.status(ctx.input.app)) === 'stopped') {
            const log = await runtime.logTail(ctx.input.app, 15);
            throw new ExternalServiceError('app', `${ctx.input.app} stopped before it answered /healthz${log ? `; its last output:\n${log}` : ''}`, {
              hint: `Read the app's log (slipway status ${ctx.input.app}) and fix the source.`,
            });
          }
        }
        await delay(intervalMs, undefined, { signal: ctx.signal }).catch(() => undefined);
      }
      throw new ExternalServiceError('app', `${ctx.input.app} did not answer /healthz within ${Math.round(timeoutMs / 1000)} s (${last})`, {
        hint: 'Raise local.readyTimeoutSeconds in slipway.yaml if the app is slow to start, or read its log.',
      });
    },
  });
