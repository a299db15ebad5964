import { ConfigError, ConflictError, InputError, NotFoundError } from '../domain/errors.ts';

/**
 * The command line's exit code for an error: 2 when the person running it can fix the input
 * (a bad argument, a missing app, a name taken, a wrong slipway.yaml), else 1 (the run failed).
 */
export function exitCodeFor(error: unknown): 1 | 2 {
  if (error instanceof InputError || error instanceof NotFoundError || error instanceof ConfigError || error instanceof ConflictError) return 2;
  return 1;
}
