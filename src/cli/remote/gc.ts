import type { GcReport } from '../../app/registry-gc.ts';
import { ServerClient } from './server-client.ts';
import type { ServerChoice } from './server-choice.ts';
import { GcReportJson } from './wire.ts';

/** `slipway gc --server …`: the server cleans its registry (`POST /v1/gc`, admin scope). */
export async function remoteGc(choice: ServerChoice, options: { keep?: number; dryRun?: boolean }): Promise<GcReport> {
  return new ServerClient(choice).call('POST', 'v1/gc', GcReportJson, { body: options });
}
