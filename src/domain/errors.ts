/**
 * The error taxonomy. Each error carries what a person needs to act: what went wrong and, in
 * `hint`, what to do about it. Edges map them to exit codes / HTTP statuses (the command line's in src/cli/exit-codes.ts).
 */
export class SlipwayError extends Error {
  readonly hint: string | undefined;
  /** Structured facts behind the error (e.g. every verification attempt), kept in the run's record. */
  readonly details: Record<string, unknown> | undefined;
  constructor(message: string, options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** The caller gave something invalid. CLI exit 2, HTTP 400. */
export class InputError extends SlipwayError {}

/** A named thing (app, run) does not exist. CLI exit 2, HTTP 404. */
export class NotFoundError extends SlipwayError {}

/** The request conflicts with current state (name taken, run already finished). HTTP 409. */
export class ConflictError extends SlipwayError {}

/** Configuration is missing or wrong. CLI exit 2. */
export class ConfigError extends SlipwayError {}

/** Something outside Slipway (git, a registry, a process) failed. */
export class ExternalServiceError extends SlipwayError {
  readonly service: string;
  constructor(service: string, message: string, options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(`${service}: ${message}`, options);
    this.service = service;
  }
}

/** The run was cancelled (signal aborted). */
export class CancelledError extends SlipwayError {
  constructor(message = 'cancelled') {
    super(message, { hint: 'Resume it with `slipway resume <runId>` or start a new run.' });
  }
}

/** A plain, serialisable description of an error for timelines and JSON output. */
export interface ErrorInfo {
  name: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

export function describeError(error: unknown): ErrorInfo {
  if (error instanceof SlipwayError) {
    return {
      name: error.name,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.details ? { details: error.details } : {}),
    };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
