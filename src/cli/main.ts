import { Command, CommanderError } from 'commander';
import { registerDoctorCommand } from './commands/doctor-command.ts';
import { registerQueryCommands } from './commands/query-commands.ts';
import { registerRunCommands } from './commands/run-commands.ts';

/** Builds the `slipway` program. Exit codes: 0 ok, 1 run failed, 2 bad input. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('slipway')
    .description('Turn a request for a webapp into a running app, the GitOps way.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRunCommands(program, setExit);
  registerQueryCommands(program, setExit);
  registerDoctorCommand(program, setExit);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => { code = c; });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors are bad input.
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
  return code;
}
