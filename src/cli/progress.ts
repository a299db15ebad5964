import type { RunEvent } from '../pipeline/index.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Shows a run's steps as they happen: a live spinner line on a terminal, plain lines otherwise.
 * Returns the listener and a `stop` that clears any timer.
 */
export function createProgress(stream: NodeJS.WriteStream, options: { live?: boolean } = {}) {
  const live = options.live ?? Boolean(stream.isTTY);
  let timer: NodeJS.Timeout | undefined;
  let current: { title: string; started: number } | undefined;
  let frame = 0;
  const clear = () => { if (live) stream.write('\r\x1b[2K'); };
  const draw = () => {
    if (!current) return;
    clear();
    stream.write(`${FRAMES[frame++ % FRAMES.length]} ${current.title} ${dim(`${((Date.now() - current.started) / 1000).toFixed(1)}s`, live)}`);
  };
  const listener = (event: RunEvent) => {
    switch (event.type) {
      case 'run:start':
        stream.write(`${event.resumed ? 'Resuming' : 'Starting'} ${event.kind} of ${event.app} (${event.runId})\n`);
        break;
      case 'step:start':
        current = { title: event.title, started: Date.now() };
        if (live) { draw(); timer = setInterval(draw, 80); }
        break;
      case 'step:end': {
        if (timer) clearInterval(timer);
        timer = undefined;
        current = undefined;
        clear();
        const mark = event.status === 'succeeded' ? (event.reused ? '↺' : '✓') : event.status === 'cancelled' ? '■' : '✗';
        const time = event.reused ? 'done earlier' : formatMs(event.durationMs);
        const detail = event.summary ? `  ${event.summary}` : '';
        stream.write(`${mark} ${event.title.padEnd(26)} ${time.padStart(8)}${detail}\n`);
        if (event.error) stream.write(`    ${event.error.message.split('\n').join('\n    ')}\n`);
        break;
      }
      case 'run:end':
        break;
    }
  };
  return { listener, stop: () => { if (timer) clearInterval(timer); } };
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function dim(text: string, live: boolean): string {
  return live ? `\x1b[2m${text}\x1b[22m` : text;
}
