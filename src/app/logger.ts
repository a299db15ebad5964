import pino, { type Logger } from 'pino';
import { redactSecrets } from '../domain/index.ts';

/**
 * Slipway's structured log: JSON lines in a file (people see progress, not logs, on the terminal).
 * Secrets are blanked by key in every record. `onLine` also receives every line at info level or
 * above, already redacted (a run's lines become its events).
 */
export function createLogger(options: { file?: string; level: string; onLine?: (line: string) => void }): Logger {
  const settings = {
    level: options.level,
    base: { pid: process.pid },
    formatters: { log: (object: Record<string, unknown>) => redactSecrets(object) },
  };
  if (!options.file) return pino({ ...settings, level: 'silent' });
  const file = pino.destination({ dest: options.file, sync: true, mkdir: true });
  if (!options.onLine) return pino(settings, file);
  const { onLine } = options;
  return pino(settings, pino.multistream([
    { stream: file, level: options.level as pino.Level },
    { stream: { write: (line: string) => onLine(line) }, level: 'info' },
  ]));
}
