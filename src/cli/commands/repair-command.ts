import { homedir } from 'node:os';
import { loadConfig } from '../../config/index.ts';
import { printJson, reportError } from '../output.ts';

/** `slipway repair`: rebuild a damaged or lost state file from the repos and the runtime. */
export async function repairCommand(opts: { json?: boolean }): Promise<number> {
  try {
    const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
    const { repairState } = await import('../../app/repair.ts');
    const result = await repairState(config, { nodeBinary: process.execPath, ...(process.env.PATH ? { path: process.env.PATH } : {}), vars: process.env, homedir: homedir() });
    if (opts.json) printJson(result);
    else if (!result.problem) process.stdout.write(`${result.file} is healthy: nothing to repair.\n`);
    else {
      const lines = [`Repaired ${result.file}`, `  was          ${result.problem.replace(/^the state file \S+ /, '')}`];
      if (result.movedTo) lines.push(`  moved aside  ${result.movedTo} (kept; delete it once you no longer need it)`);
      lines.push(`  rebuilt      ${result.apps.length} app(s)${result.apps.length ? `: ${result.apps.join(', ')}` : ''} and ${result.runs} run(s) from the repos' commits`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
}
