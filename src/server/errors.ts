import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';
import { ConfigError, ConflictError, InputError, NotFoundError, SlipwayError } from '../domain/index.ts';
import { problem } from './problem.ts';

/**
 * Errors to problem responses, the HTTP twin of the command line's exit codes:
 * InputError → 422 when the request carried a JSON body (it parsed but does not validate), else 400
 * (a path or query parameter); NotFoundError → 404; ConflictError → 409. A ConfigError is the
 * server's own slipway.yaml, which the caller cannot fix: 500, with its message and hint for whoever
 * runs the server. Anything else is 500 with a generic detail; the error itself goes to the log only.
 */
export function errorProblem(error: unknown, c: Context, logger: Logger): Response {
  if (error instanceof HTTPException) return httpExceptionProblem(error, c);
  if (error instanceof SlipwayError) {
    const stage = typeof error.details?.stepId === 'string' ? error.details.stepId : undefined;
    const fields = { detail: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(stage ? { stage } : {}) };
    if (error instanceof InputError) {
      return hasJsonBody(c) ? problem(c, 422, { title: 'Invalid input', ...fields }) : problem(c, 400, { title: 'Bad request', ...fields });
    }
    if (error instanceof NotFoundError) return problem(c, 404, { title: 'Not found', ...fields });
    if (error instanceof ConflictError) return problem(c, 409, { title: 'Conflict', ...fields });
    if (error instanceof ConfigError) {
      logger.error({ err: error }, 'the server configuration is wrong');
      return problem(c, 500, { title: 'Server misconfigured', ...fields });
    }
  }
  logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unexpected error in a request');
  return problem(c, 500, { title: 'Internal error', detail: 'the server failed to answer this request; its log says why', hint: 'Try again; if it persists, look at $SLIPWAY_HOME/logs/slipway.log on the server.' });
}

/** Hono's own refusals: malformed JSON (400), a body that is not JSON (415), and the like. */
function httpExceptionProblem(error: HTTPException, c: Context): Response {
  const status = error.status as ContentfulStatusCode;
  if (status === 400 && /json/i.test(error.message)) {
    return problem(c, 400, { title: 'Bad request', detail: 'the request body is not valid JSON', hint: 'Send a JSON object, e.g. {"description": "a pomodoro timer with a dark theme"}.' });
  }
  if (status === 415) {
    return problem(c, 415, { title: 'Unsupported media type', detail: `the request body is ${c.req.header('content-type') ?? 'without a Content-Type'}, not JSON`, hint: 'Send it with Content-Type: application/json.' });
  }
  return problem(c, status, { title: status >= 500 ? 'Internal error' : 'Bad request', detail: error.message || 'the request was refused' });
}

/**
 * The problem for a request that does not match its declaration: 422 for a body that parses but
 * does not validate, 400 for bad path, query or header parameters. Every issue is named with its place.
 */
export function validationProblem(target: string, error: ZodError, c: Context): Response {
  const detail = error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
  if (target === 'json') return problem(c, 422, { title: 'Invalid input', detail, hint: 'Fix the request body as described and send it again.' });
  // A path's app name or run id is told in the service's own words, which name the value already.
  if (target === 'param') {
    const aboutRun = error.issues.some((issue) => issue.path[0] === 'id');
    return problem(c, 400, { title: 'Bad request', detail: error.issues.map((issue) => issue.message).join('; '), ...(aboutRun ? { hint: 'List runs with `slipway runs`.' } : {}) });
  }
  return problem(c, 400, { title: 'Bad request', detail: `${target}: ${detail}` });
}

function hasJsonBody(c: Context): boolean {
  return /^application\/([a-z.+-]*\+)?json/i.test(c.req.header('content-type') ?? '');
}
