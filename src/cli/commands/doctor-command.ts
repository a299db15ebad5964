import { homedir } from 'node:os';
import { runDoctor, type Check } from '../../app/doctor.ts';
import { loadConfig } from '../../config/index.ts';
import { describeError } from '../../domain/index.ts';
import { printJson } from '../output.ts';

export async function doctorCommand(opts: { json?: boolean }): Promise<number> {
  let checks: Check[];
  try {
    const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
    checks = await runDoctor(config, process.env, process.version);
  } catch (error) {
    const info = describeError(error);
    checks = [{ name: 'config', status: 'fail', detail: info.message, ...(info.hint ? { fix: info.hint } : {}) }];
  }
  if (opts.json) printJson({ ok: !checks.some((c) => c.status === 'fail'), checks });
  else {
    for (const c of checks) {
      const mark = c.status === 'ok' ? '✓' : c.status === 'warn' ? '!' : '✗';
      process.stdout.write(`${mark} ${c.name.padEnd(12)} ${c.detail}\n`);
      if (c.fix && c.status !== 'ok') process.stdout.write(`  ${' '.repeat(12)} → ${c.fix}\n`);
    }
  }
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
