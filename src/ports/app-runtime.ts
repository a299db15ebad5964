import type { AppSpec } from '../domain/index.ts';

export interface StartRequest {
  app: string;
  /** Directory holding the app's files. */
  dir: string;
  spec: AppSpec;
  /** The app's settings and secret values as its environment (never Slipway's own secrets); runtimes keep values off command lines. */
  env?: Record<string, string>;
  /** Image to run (`oci:<dir>:<tag>`, `oci:<dir>@sha256:…` or a registry reference), for runtimes that run images. */
  image?: string;
}

export interface RunningApp {
  url: string;
  /** Adapter-defined handle (pid, port, container id) kept in the app record. */
  handle: Record<string, unknown>;
}

/** Runs apps on this machine (the local target). */
export interface AppRuntime {
  readonly name: string;
  /** Starts the app, replacing an earlier instance of the same app. */
  start(request: StartRequest, signal?: AbortSignal): Promise<RunningApp>;
  stop(app: string, handle?: Record<string, unknown>): Promise<void>;
  status(app: string, handle?: Record<string, unknown>): Promise<'running' | 'stopped'>;
  /** Where a running app answers, found from the runtime alone (used to rebuild lost state); undefined when it is not running. */
  locate?(app: string): Promise<RunningApp | undefined>;
  /** The last lines the app wrote, to explain a failed start. */
  logTail(app: string, lines?: number): Promise<string>;
  /**
   * The app's output, a line at a time: the last `tail` lines, then (with `follow`) each new line as
   * the app writes it, until `signal` aborts. Without a running app, whatever its log still holds.
   */
  logs(app: string, handle: Record<string, unknown> | undefined, options: LogOptions): AsyncIterable<string>;
}

export interface LogOptions {
  /** How many of the last lines to start with. */
  tail: number;
  /** Keep reading new lines until `signal` aborts. */
  follow: boolean;
  /** Only lines written at or after this time (then at most `tail` of them). */
  since?: Date;
  signal?: AbortSignal;
}
