import { SlipwayError } from '../domain/errors.ts';

/**
 * While a run goes on, an error that nothing awaited (a rejected promise nobody handled, an exception
 * thrown in a callback) must neither kill the process with a stack trace nor leave the run
 * `running`: it aborts the run's signal with the error, and the run ends as failed at the step it
 * was in, with the reason and what to do. Returns the function that stops listening.
 */
export function failRunOnUnexpectedErrors(controller: AbortController): () => void {
  const fail = (error: unknown) => {
    if (!controller.signal.aborted) controller.abort(asRunFailure(error));
  };
  process.on('unhandledRejection', fail);
  process.on('uncaughtException', fail);
  return () => {
    process.off('unhandledRejection', fail);
    process.off('uncaughtException', fail);
  };
}

function asRunFailure(error: unknown): SlipwayError {
  if (error instanceof SlipwayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SlipwayError(`unexpected error: ${message}`, {
    cause: error,
    hint: 'Slipway did not expect this; its log has the details. Once the cause is fixed, the run continues where it stopped.',
  });
}
