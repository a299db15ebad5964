import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { CancelledError, ExternalServiceError } from '../../domain/index.ts';
import type { ProcessLedger } from '../os/index.ts';
import { OutputTail } from './output-tail.ts';

export interface ProgramOptions {
  cwd: string;
  env: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** Where the running program is written down, so one left behind by a killed Slipway can be stopped later. */
  ledger?: Pick<ProcessLedger, 'add' | 'remove'> | undefined;
}

export interface ProgramExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProgramResult extends ProgramExit {
  /** stdout and stderr interleaved, the last 64 KiB. */
  output: string;
  timedOut: boolean;
}

/**
 * A program started in its own process group, with its output kept (the end of it). The group is
 * what gets signalled, so whatever the program started (npm's children, an app's workers) goes too.
 */
export class SpawnedProgram {
  readonly child: ChildProcess;
  readonly exit: Promise<ProgramExit>;
  private readonly tail = new OutputTail();
  private exitStatus: ProgramExit | undefined;

  private readonly ledger: ProgramOptions['ledger'];

  private constructor(child: ChildProcess, ledger: ProgramOptions['ledger']) {
    this.child = child;
    this.ledger = ledger;
    child.stdout!.on('data', (chunk: Buffer) => this.tail.append(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.tail.append(chunk));
    // 'close' waits for the output pipes too, so nothing printed at the end is lost.
    this.exit = once(child, 'close').then(([code, signal]) => {
      this.exitStatus = { code: code as number | null, signal: signal as NodeJS.Signals | null };
      ledger?.remove(child.pid!);
      return this.exitStatus;
    });
  }

  /**
   * Starts `program` with an argument array (never a shell). Fails with ExternalServiceError when
   * the program cannot be started at all: that is Slipway's environment, not the app, at fault.
   * @example const npm = await SpawnedProgram.start('npm', ['ci'], { cwd, env });
   */
  static async start(program: string, args: readonly string[], options: ProgramOptions): Promise<SpawnedProgram> {
    const child = spawn(program, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new ExternalServiceError('sandbox', `could not run ${program}: ${error.message}`, { hint: `Check that ${program} is installed and on the PATH given to the sandbox.` })),
      );
    });
    options.ledger?.add(child.pid!, [program, ...args].join(' '));
    return new SpawnedProgram(child, options.ledger);
  }

  output(): string {
    return this.tail.text();
  }

  /** How it ended, or undefined while it runs. */
  exited(): ProgramExit | undefined {
    return this.exitStatus;
  }

  /** SIGTERM to the group, then SIGKILL after `graceMs`; resolves once the program is gone. */
  async stop(graceMs = 5000): Promise<ProgramExit> {
    if (this.exitStatus) {
      // The leader is gone, but something it started may still hold the group.
      signalGroup(this.child.pid!, 'SIGKILL');
      return this.exitStatus;
    }
    signalGroup(this.child.pid!, 'SIGTERM');
    const ended = await Promise.race([this.exit, delay(graceMs, undefined, { ref: false })]);
    signalGroup(this.child.pid!, 'SIGKILL');
    const exit = ended ?? (await this.exit);
    this.ledger?.remove(this.child.pid!);
    return exit;
  }
}

/**
 * Runs a program to its end, with a time limit and cancellation. A non-zero exit is a result, not
 * an error: the caller turns it into a failed check.
 * @example const result = await runProgram('npm', ['ci', '--ignore-scripts'], { cwd, env, timeoutMs: 120_000 });
 */
export async function runProgram(program: string, args: readonly string[], options: ProgramOptions & { timeoutMs: number }): Promise<ProgramResult> {
  options.signal?.throwIfAborted();
  const spawned = await SpawnedProgram.start(program, args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void spawned.stop(2000);
  }, options.timeoutMs);
  const onAbort = () => void spawned.stop(2000);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await spawned.exit;
    if (options.signal?.aborted) throw new CancelledError('cancelled while verifying the app');
    return { ...exit, output: spawned.output(), timedOut };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Describes how a program ended, e.g. `exited with code 1` or `was killed by SIGKILL`. */
export function describeExit(exit: ProgramExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
