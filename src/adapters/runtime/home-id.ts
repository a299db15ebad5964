import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/**
 * A short id for a Slipway home (8 hex digits of a hash of its path). Containers, pods, volumes and
 * staged images carry it in their names and in the `io.slipway.home` label, so two homes with an
 * app of the same name on one machine never replace or remove each other's.
 * @example homeId('/home/ada/.slipway') // '3f9c0a1b'
 */
export function homeId(home: string): string {
  return createHash('sha256').update(resolve(home)).digest('hex').slice(0, 8);
}

/** The label that marks what a home started. */
export const HOME_LABEL = 'io.slipway.home';
