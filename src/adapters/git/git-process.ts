import { spawn } from 'node:child_process';
import { CancelledError, ExternalServiceError } from '../../domain/index.ts';

export interface GitProcessOptions {
  /** Program to run; 'git' by default. */
  binary: string;
  /** Complete environment for the child (nothing is inherited). */
  env: Record<string, string>;
}

export interface GitCallOptions {
  cwd?: string;
  input?: string | Uint8Array;
  signal?: AbortSignal | undefined;
}

export interface GitOutput {
  code: number;
  stdout: string;
  /** stdout as it came, for file contents that may not be text. */
  stdoutBytes: Buffer;
  stderr: string;
}

/** Settings every call gets, so a user's git configuration cannot change what Slipway commits. */
const FIXED_CONFIG = [
  'core.autocrlf=false',
  'core.safecrlf=false',
  'core.hooksPath=/dev/null',
  'commit.gpgsign=false',
  'tag.gpgsign=false',
  'init.defaultBranch=slipway',
  'gc.autoDetach=false',
  'advice.detachedHead=false',
  'protocol.ext.allow=never',
];

/**
 * The environment git runs with: nothing inherited except what the caller passes, never a prompt
 * (a missing credential fails instead of hanging), no system config, English messages. Config
 * entries are added as GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n after any the caller's env already has.
 * @example gitEnvironment({ PATH: '/usr/bin:/bin' }, [['http.https://git.home.lan/.extraHeader', 'Authorization: Basic …']])
 */
export function gitEnvironment(extra: Record<string, string> = {}, configEntries: Array<[string, string]> = []): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    GIT_LITERAL_PATHSPECS: '1',
    ...extra,
  };
  // Configuration through the environment rather than `-c`: values here (an Authorization header)
  // stay out of the command line, which every user of the machine can read.
  const first = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
  configEntries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${first + i}`] = key;
    env[`GIT_CONFIG_VALUE_${first + i}`] = value;
  });
  if (configEntries.length > 0) env.GIT_CONFIG_COUNT = String(first + configEntries.length);
  return env;
}

/**
 * Runs git with an argument array and returns its exit code and output; never throws for a non-zero
 * exit (callers decide what a failure means). Aborting the signal kills the child.
 * @example const out = await runGit(proc, ['rev-parse', 'HEAD'], { cwd });
 */
export function runGit(proc: GitProcessOptions, args: string[], options: GitCallOptions = {}): Promise<GitOutput> {
  const fullArgs = [...FIXED_CONFIG.flatMap((c) => ['-c', c]), ...args];
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new CancelledError());
    const child = spawn(proc.binary, fullArgs, {
      cwd: options.cwd,
      env: proc.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      finish();
    };
    // Settle at once on abort: a grandchild (ssh, a credential helper) may keep the pipes open.
    const onAbort = () => {
      child.kill('SIGKILL');
      settle(() => reject(new CancelledError()));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.once('error', (error: NodeJS.ErrnoException) =>
      settle(() =>
        reject(
          error.code === 'ENOENT'
            ? new ExternalServiceError('git', `the git program (${proc.binary}) was not found`, { hint: 'Install git (apt-get install git) or set the path to it.' })
            : new ExternalServiceError('git', `could not start git: ${error.message}`),
        ),
      ),
    );
    child.once('close', (code) =>
      settle(() => {
        const bytes = Buffer.concat(out);
        resolve({ code: code ?? 1, stdout: bytes.toString('utf8'), stdoutBytes: bytes, stderr: Buffer.concat(err).toString('utf8') });
      }),
    );
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined); // git may exit before reading; the exit code tells.
      child.stdin!.end(options.input);
    }
  });
}

/** git's generic follow-up lines after a transport error: they add nothing to the first line. */
const NOISE = /^(hint:|fatal: Could not read from remote repository\.|Please make sure you have the correct access rights|and the repository exists\.)/;

/**
 * The last few meaningful lines of git's stderr, on one line, for an error message.
 * @example stderrTail("fatal: 'x' does not appear to be a git repository\nfatal: Could not read from remote repository.")
 */
export function stderrTail(stderr: string, lines = 4): string {
  const meaningful = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !NOISE.test(l));
  return meaningful.slice(-lines).join('; ');
}
