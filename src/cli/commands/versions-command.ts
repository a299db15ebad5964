import type { AppVersions } from '../../app/slipway-service.ts';
import { subjectText } from '../../steps/commit-trailers.ts';
import { printJson } from '../output.ts';
import { printTable, withSlipway } from './query-commands.ts';

/** `slipway versions <app>`: each version, newest first, and the one the environment runs. */
export function versionsCommand(app: string, opts: { env?: string; json?: boolean }): Promise<number> {
  return withSlipway(Boolean(opts.json), async (s) => {
    const answer = await s.service.versions(app, opts.env !== undefined ? { env: opts.env } : {});
    if (opts.json) return printJson(answer);
    printVersions(answer);
  });
}

function printVersions({ app, current, versions }: AppVersions): void {
  if (versions.length === 0) return void process.stdout.write(`${app} has no version yet: its first deploy makes v1.0.0.\n`);
  process.stdout.write(`${app} runs ${current ?? 'no version'}${versions.some((v) => v.env !== versions[0]!.env) ? '' : ` in ${versions[0]!.env}`}\n\n`);
  const rows = versions.map((v) => [
    `${v.version}${v.version === current && v === versions.find((w) => w.env === v.env) ? ' *' : ''}`,
    v.env, v.action, v.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), v.sourceCommit.slice(0, 7) || '-', v.digest.slice(0, 19) || '-', v.runId || '-',
    v.generator ?? '-', subjectText(v.request.split('\n')[0]!, 50),
  ]);
  printTable(['VERSION', 'ENV', 'ACTION', 'AT', 'SOURCE', 'DIGEST', 'RUN', 'GENERATOR', 'REQUEST'], rows);
}
