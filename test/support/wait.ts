import { setTimeout as delay } from 'node:timers/promises';
import { processStartTime } from '../../src/adapters/os/index.ts';

/** The first answer `url` gives, asked every 250 ms for 30 s; fails the test when there is none. */
export async function waitForAnswer(url: string): Promise<Response> {
  for (let i = 0; i < 120; i++) {
    const response = await fetch(url).catch(() => undefined);
    if (response) return response;
    await delay(250);
  }
  throw new Error(`${url} never answered`);
}

/** Whether the process runs (a zombie has ended), read from /proc as the process ledger reads it. */
export function processRunning(pid: number): boolean {
  return processStartTime(pid) !== undefined;
}
