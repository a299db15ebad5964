import pino, { type Logger } from 'pino';
import { redactSecrets } from '../domain/index.ts';

/**
 * Slipway's structured log: JSON lines in a file (people see progress, not logs, on the terminal).
 * Secrets are blanked by key in every record.
 */
export function createLogger(options: { file?: string; level: string }): Logger {
  const settings = {
    level: options.level,
    base: { pid: process.pid },
    formatters: { log: (object: Record<string, unknown>) => redactSecrets(object) },
  };
  if (!options.file) return pino({ ...settings, level: 'silent' });
  return pino(settings, pino.destination({ dest: options.file, sync: true, mkdir: true }));
}
