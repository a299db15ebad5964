import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ExternalServiceError } from '../../domain/index.ts';

/**
 * What a program writes on stdout and stderr, a line at a time, as it writes it (`podman logs -f`
 * writes the app's stderr on its own). Started with an argument array, never a shell; ended with
 * SIGTERM when `signal` aborts or the reader stops reading.
 * @example for await (const line of commandLines('/usr/bin/podman', ['logs', '--follow', 'notes'], { env, signal })) send(line);
 */
export async function* commandLines(binary: string, args: string[], options: { env: Record<string, string>; signal?: AbortSignal }): AsyncGenerator<string> {
  if (options.signal?.aborted) return;
  const child = spawn(binary, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let open = 2;
  let failure: Error | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  for (const stream of [child.stdout, child.stderr]) {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      queue.push(line);
      notify();
    });
    lines.on('close', () => {
      open -= 1;
      notify();
    });
  }
  child.once('error', (error: NodeJS.ErrnoException) => {
    failure = new ExternalServiceError('podman', `cannot run ${binary}: ${error.code ?? error.message}`, { hint: 'Install podman, or set the path to it.' });
    open = 0;
    notify();
  });
  const stop = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    while (true) {
      if (queue.length > 0) {
        yield queue.shift()!;
        continue;
      }
      if (failure) throw failure;
      if (open === 0 || options.signal?.aborted) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}
