import type { Context, MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { createMiddleware } from 'hono/factory';
import type { SessionStore } from '../../ports/session-store.ts';
import type { TokenStore } from '../../ports/token-store.ts';
import { authenticate, requireScope, scopeForMethod } from './bearer.ts';
import type { AccessEnv } from './context.ts';
import { openWhenNoTokens } from './loopback.ts';
import { rateLimit } from './rate-limit.ts';
import { sessionCookie } from './session.ts';

export { ANONYMOUS, authenticate, requireScope, scopeForMethod } from './bearer.ts';
export type { AccessEnv, AccessVariables } from './context.ts';
export { isLoopbackHost, openWhenNoTokens } from './loopback.ts';
export { rateLimit } from './rate-limit.ts';
export { RateLimiter } from './rate-limiter.ts';
export { SIGNATURE_HEADER, signBody, signWith, SLIPWAY_SIGNATURE, TIMESTAMP_HEADER, TOLERANCE_SECONDS, verifySignedRequest, type SignatureScheme } from './signature.ts';
export { SIGNED_INTAKE_CALLER, signedIntake } from './signed-intake.ts';
export { carriesCsrf, CSRF_FIELD, CSRF_HEADER, csrfRefused, SESSION_COOKIE, sessionCookie, sessionExpired } from './session.ts';

/** Signing in and out: open to everyone (signing in is how a caller gets credentials); its routes check what they need. */
export const SESSION_PATH = '/v1/session';

export interface AccessControlOptions {
  tokens: Pick<TokenStore, 'verify' | 'count'>;
  /** The web page's sessions: a request may sign in with their cookie instead of a token. */
  sessions?: Pick<SessionStore, 'find'>;
  /** The address the server listens on: on loopback, no token is asked for until one exists. */
  host: string;
  /** server.rateLimit.perMinute. */
  perMinute: number;
  now?: () => number;
  clientAddress?: (c: Context) => string | undefined;
}

/**
 * Everything in front of the `/v1` routes, in one middleware: a bearer token or a session cookie
 * (none on a loopback server without tokens; `/v1/session` itself is open), a rate limit per token,
 * and scope read to GET, write otherwise. A request the signed intake let in (`signedIntake`, mounted on its path in front) needs no token.
 * @example
 * app.use('/v1/hooks/create', signedIntake({ secret, replays: new SqliteReplayGuard({ db }) }));
 * app.use('/v1/*', accessControl({ tokens: new SqliteTokenStore({ db }), host: '127.0.0.1', perMinute: 120 }));
 */
export function accessControl(options: AccessControlOptions): MiddlewareHandler<AccessEnv> {
  const open = openWhenNoTokens({ tokens: options.tokens, host: options.host });
  const checks = every(
    ...(options.sessions ? [sessionCookie({ sessions: options.sessions, open })] : []),
    authenticate({ tokens: options.tokens, open }),
    rateLimit({ perMinute: options.perMinute, ...(options.now ? { now: options.now } : {}), ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}) }),
    requireScope(scopeForMethod),
  );
  // Signing in needs no credentials, but is limited by client address like every other caller.
  const signIn = rateLimit({ perMinute: options.perMinute, ...(options.now ? { now: options.now } : {}), ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}) });
  return createMiddleware<AccessEnv>(async (c, next) => (c.req.path === SESSION_PATH ? signIn(c, next) : checks(c, next)));
}
