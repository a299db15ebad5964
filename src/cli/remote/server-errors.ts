import { z } from 'zod';
import { ConfigError, ConflictError, ExternalServiceError, InputError, NotFoundError, type SlipwayError } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';

/** RFC 9457 problem details as Slipway's server writes them (see the HTTP API in the README). */
const Problem = z.looseObject({
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  hint: z.string().optional(),
  stage: z.string().optional(),
});

const HINTS: Record<number, string> = {
  401: 'Set SLIPWAY_TOKEN (or pass --token-file) to a token the server knows: `slipway token create --name <client> --scope write` on the server prints one.',
  403: "The token's scope does not allow this: creating, deleting, resuming and cancelling need a write token.",
};

/**
 * The error a refusal from the server stands for, with the server's message and hint, so the
 * command line prints it and exits as it would for the same error in this process: 400, 413, 422
 * and 429 are bad input, 401 and 403 a token to fix, a redirect an address to fix, 404 not found,
 * 409 a conflict (all exit 2); anything else means the server failed (exit 1). `secret` (the
 * token) is cut out of anything the server echoes.
 */
export async function errorFromResponse(response: Response, server: string, secret?: string): Promise<SlipwayError> {
  const text = await response.text().catch(() => '');
  let problem: z.infer<typeof Problem> = {};
  try {
    problem = Problem.parse(JSON.parse(text));
  } catch {
    // Not problem details (a proxy's error page, say): the status alone tells what happened.
  }
  const scrub = (value: string) => (secret ? value.split(secret).join('[redacted]') : value);
  const status = response.status;
  const message = scrub(problem.detail ?? problem.title ?? `HTTP ${status} ${response.statusText}`.trim());
  const retryAfter = response.headers.get('retry-after');
  // A 401's hint speaks to HTTP clients (send a header); the command line's users set SLIPWAY_TOKEN.
  const hint = status === 401 ? HINTS[401] : problem.hint ? scrub(problem.hint) : status === 429 && retryAfter ? `Try again in ${retryAfter} s.` : HINTS[status];
  const options = { ...(hint ? { hint } : {}), ...(problem.stage ? { details: { stage: problem.stage } } : {}) };
  if (status >= 300 && status < 400) {
    // Not followed: fetch would drop the token on the way to another origin, and the 401 that
    // followed would not say why.
    const location = redactUrlCredentials(response.headers.get('location') ?? '(no Location)');
    return new ConfigError(`Slipway server ${server} redirects to ${location}`, { hint: 'Point --server (or SLIPWAY_SERVER) at the address it redirects to.' });
  }
  if (status === 404) return new NotFoundError(message, options);
  if (status === 409) return new ConflictError(message, options);
  if (status === 401 || status === 403) return new ConfigError(message, options);
  if (status === 400 || status === 413 || status === 422 || status === 429) return new InputError(message, options);
  return new ExternalServiceError(`Slipway server ${server}`, `answered ${status}: ${message}`, options);
}

/** A server that could not be reached or did not answer in time: exit 1, naming the server. */
export function unreachable(server: string, cause: unknown, timeoutMs?: number): ExternalServiceError {
  const hint = 'Check that `slipway serve` runs there, or point --server (or SLIPWAY_SERVER) at the right address.';
  if (cause instanceof DOMException && cause.name === 'TimeoutError') {
    return new ExternalServiceError(`Slipway server ${server}`, `no answer within ${(timeoutMs ?? 0) / 1000} s`, { hint });
  }
  return new ExternalServiceError(`Slipway server ${server}`, `cannot be reached (${networkReason(cause)})`, { hint, cause });
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused', ECONNRESET: 'connection reset', ENOTFOUND: 'unknown host', EAI_AGAIN: 'name lookup failed',
    EHOSTUNREACH: 'host unreachable', ETIMEDOUT: 'connection timed out', UND_ERR_SOCKET: 'connection closed',
  };
  if (typeof code === 'string') return reasons[code] ?? code;
  return cause instanceof Error ? cause.message : String(cause);
}

/** A response that is not what the API documents: the server is another program or another version. */
export class UnexpectedAnswerError extends ExternalServiceError {
  constructor(server: string, what: string, problem: string) {
    super(`Slipway server ${server}`, `answered ${what} in a shape this slipway does not know (${problem})`, {
      hint: 'Check that --server points at a Slipway server of the same version.',
    });
  }
}
