import { spawn } from 'node:child_process';
import { BIN, cliEnv } from './cli.ts';

/**
 * Runs the real command and kills it (SIGKILL, with what it started in its process group, as when
 * its terminal goes) as soon as a progress line matches; resolves with what it printed. Progress is
 * plain lines on a pipe: a step's line appears when it ends, so killing at the line before a step
 * kills it as that step starts.
 */
export function killWhen(args: string[], line: RegExp, options: { home: string; cwd: string; env?: Record<string, string> }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: cliEnv(options.home, options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let killed = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (!killed && stdout.split('\n').some((l) => line.test(l))) {
        killed = true;
        process.kill(-child.pid!, 'SIGKILL');
      }
    });
    child.stderr!.resume();
    child.once('error', reject);
    child.once('close', (_code, signal) => (killed && signal === 'SIGKILL' ? resolve(stdout) : reject(new Error(`not killed (${signal}); no line matched ${line}:\n${stdout}`))));
  });
}
