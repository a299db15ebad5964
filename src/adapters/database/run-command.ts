import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program with an argument array (never a shell), optionally writing `input` to its stdin,
 * and collects its output. A program that cannot start at all answers code null.
 * @example await runCommand('id', ['-u', 'postgres']) // { code: 0, stdout: '101\n', stderr: '' }
 */
export function runCommand(program: string, args: readonly string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    // PostgreSQL's programs need little: a PATH and a locale that exists everywhere.
    const child = spawn(program, args, { env: { PATH: '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (child.stdin) {
      // A program that exits before reading its input is answered by its exit code, not by EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}
