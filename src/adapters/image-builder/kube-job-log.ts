import { createInterface } from 'node:readline';
import { kubePath, type KubeClient } from '../watcher/index.ts';

/** A build pod's log being followed: its lines go to `say` as they come; the last ones are kept for a failure's report. */
export interface JobLog {
  /** The last `n` lines read so far. */
  tail(n: number): string[];
  /** Waits until the log ended (the pod finished) or `ms` passed. */
  settled(ms: number): Promise<void>;
  stop(): void;
}

/** Lines kept for a failure's report. */
const KEPT = 50;

/**
 * Follows a container's log through the API (`…/pods/<pod>/log?follow=true`), as `kubectl logs -f`
 * does, until the pod's container ends, the signal aborts or `stop` is called. Best effort: a log
 * that cannot be read leaves the build to be judged by the Job's status alone.
 * @example const log = followJobLog(kube, 'slipway-builds', 'notes-build-ab12cd-x7k2p', 'buildkit', (line) => logger.info(line));
 */
export function followJobLog(kube: KubeClient, namespace: string, pod: string, container: string, say: (line: string) => void, signal?: AbortSignal): JobLog {
  const lines: string[] = [];
  const stopper = new AbortController();
  const abort = () => stopper.abort();
  signal?.addEventListener('abort', abort, { once: true });
  const done = (async () => {
    const body = await kube.stream(`${kubePath('v1', 'pods', namespace, pod)}/log?container=${encodeURIComponent(container)}&follow=true`, stopper.signal);
    stopper.signal.addEventListener('abort', () => body.destroy(), { once: true });
    for await (const line of createInterface({ input: body, crlfDelay: Infinity })) {
      lines.push(line);
      if (lines.length > KEPT) lines.shift();
      say(line);
    }
  })().catch(() => undefined).finally(() => signal?.removeEventListener('abort', abort));
  return {
    tail: (n) => lines.slice(-n),
    settled: async (ms) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]);
      clearTimeout(timer);
    },
    stop: abort,
  };
}
