import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A state file in a fresh folder of its own. */
export function stateFile(prefix = 'slipway-store-'): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'state.db');
}

/** A clock the test moves by hand. */
export function clock(start = '2026-12-01T10:00:00.000Z') {
  let now = new Date(start);
  return { now: () => now, set: (iso: string) => (now = new Date(iso)) };
}
