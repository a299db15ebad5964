import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../domain/errors.ts';

/**
 * Refuses a directory Slipway is to create or use when it, or the nearest part of its path that
 * exists, is not a directory: a raw `ENOTDIR … mkdir` later would not say which setting to fix.
 * @example assertUsableDir('/home/me/.slipway', 'SLIPWAY_HOME') // ok when absent or a directory
 */
export function assertUsableDir(dir: string, variable: string): void {
  for (let current = dir; ; current = dirname(current)) {
    const stat = statSync(current, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return;
    if (stat) {
      const where = current === dir ? `${dir} is not a directory` : `${dir} cannot be a directory: ${current} is a file`;
      throw new ConfigError(`${variable}: ${where}`, { hint: `Point ${variable} at a directory (or a path that does not exist yet), or move the file away.` });
    }
    if (dirname(current) === current) return;
  }
}
