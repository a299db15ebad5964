import { CancelledError } from '../../domain/errors.ts';
import { requestText, type TlsOptions } from './http-request.ts';
import { formatWait, type StageSpec } from './stage-runner.ts';

/**
 * Stage `http`: a GET of the app's URL answers 2xx. Anything else (a 404 or 503 from the gateway
 * while the route is programmed, no DNS yet, a refused connection) is "not yet" until time is up.
 *
 * @example
 * const spec = httpStage('https://pomodoro.apps.example.com/');
 */
export function httpStage(url: string, options: { tls?: TlsOptions; requestTimeoutMs?: number } = {}): StageSpec {
  const target = new URL(url);
  return {
    stage: 'http',
    async check(signal) {
      try {
        const res = await requestText(target, { signal, tls: options.tls, timeoutMs: options.requestTimeoutMs ?? 5000, maxBytes: 4096 });
        if (res.status >= 200 && res.status < 300) return { state: 'ok', detail: `GET ${url} answered ${res.status}` };
        return { state: 'wait', detail: `GET ${url} answered ${res.status}`, reason: `HTTP${res.status}`, message: `GET ${url} answered ${res.status}` };
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        return { state: 'wait', detail: `GET ${url} failed: ${code}`, reason: 'Unreachable', message: `GET ${url} failed: ${code}` };
      }
    },
    timeout(last, waited) {
      const seen = last?.state === 'wait' ? last : undefined;
      return {
        reason: seen?.reason ?? 'Timeout',
        message: `${url} did not answer 2xx within ${formatWait(waited)}${seen ? ` (last: ${seen.message ?? seen.detail})` : ''}`,
        hint: 'The app runs but its URL does not answer: check the HTTPRoute and the gateway (kubectl get httproute -A), DNS for the apps domain, and that the app listens on the Service port.',
      };
    },
  };
}
