import { homedir } from 'node:os';
import type { Command } from 'commander';
import { runDoctor, type Check } from '../../app/doctor.ts';
import { loadConfig } from '../../config/index.ts';
import { describeError } from '../../domain/index.ts';
import { printJson } from '../output.ts';

export function registerDoctorCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description('check git, podman, repos and config, and say how to fix each')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
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
      setExit(checks.some((c) => c.status === 'fail') ? 1 : 0);
    });
}
