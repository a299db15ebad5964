import type { Context, MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import type { TokenStore } from '../../ports/token-store.ts';
import { authenticate, requireScope, scopeForMethod } from './bearer.ts';
import type { AccessEnv } from './context.ts';
import { openWhenNoTokens } from './loopback.ts';
import { rateLimit } from './rate-limit.ts';

export { ANONYMOUS, authenticate, requireScope, scopeForMethod } from './bearer.ts';
export type { AccessEnv, AccessVariables } from './context.ts';
export { isLoopbackHost, openWhenNoTokens } from './loopback.ts';
export { rateLimit } from './rate-limit.ts';
export { RateLimiter } from './rate-limiter.ts';
export { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER, TOLERANCE_SECONDS, verifySignedRequest } from './signature.ts';
export { SIGNED_INTAKE_CALLER, signedIntake } from './signed-intake.ts';

export interface AccessControlOptions {
  tokens: Pick<TokenStore, 'verify' | 'count'>;
  /** The address the server listens on: on loopback, no token is asked for until one exists. */
  host: string;
  /** server.rateLimit.perMinute. */
  perMinute: number;
  now?: () => number;
  clientAddress?: (c: Context) => string | undefined;
}

/**
 * Everything in front of the `/v1` routes, in one middleware: a bearer token (none on a loopback
 * server without tokens), a rate limit per token, and scope read to GET, write otherwise. A request
 * the signed intake let in (`signedIntake`, mounted on its path in front) needs no token.
 * @example
 * app.use('/v1/hooks/create', signedIntake({ secret, replays: new SqliteReplayGuard({ db }) }));
 * app.use('/v1/*', accessControl({ tokens: new SqliteTokenStore({ db }), host: '127.0.0.1', perMinute: 120 }));
 */
export function accessControl(options: AccessControlOptions): MiddlewareHandler<AccessEnv> {
  return every(
    authenticate({ tokens: options.tokens, open: openWhenNoTokens({ tokens: options.tokens, host: options.host }) }),
    rateLimit({ perMinute: options.perMinute, ...(options.now ? { now: options.now } : {}), ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}) }),
    requireScope(scopeForMethod),
  );
}
