import type { Context } from 'hono';
import { every } from 'hono/combine';
import { createMiddleware } from 'hono/factory';
import type { ReplayGuard } from '../../ports/replay-guard.ts';
import type { TokenStore } from '../../ports/token-store.ts';
import { authenticate, requireScope, scopeForMethod } from './bearer.ts';
import type { AccessEnv } from './context.ts';
import { openWhenNoTokens } from './loopback.ts';
import { rateLimit } from './rate-limit.ts';
import { signedIntake } from './signed-intake.ts';

export { ANONYMOUS, authenticate, requireScope, scopeForMethod } from './bearer.ts';
export type { AccessEnv, AccessVariables } from './context.ts';
export { isLoopbackHost, openWhenNoTokens } from './loopback.ts';
export { rateLimit } from './rate-limit.ts';
export { RateLimiter } from './rate-limiter.ts';
export { SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER, TOLERANCE_SECONDS, verifySignedRequest } from './signature.ts';
export { SIGNED_INTAKE_CALLER, signedIntake } from './signed-intake.ts';

/** The signed intake's route: authenticated by its signature instead of a token. */
export const INTAKE_PATH = '/v1/hooks/create';

export interface AccessControlOptions {
  tokens: Pick<TokenStore, 'verify' | 'count'>;
  /** The address the server listens on: on loopback, no token is asked for until one exists. */
  host: string;
  /** server.rateLimit.perMinute. */
  perMinute: number;
  /** server.hookSecret's value and where accepted signatures are remembered; without it the intake path needs a token like any other. */
  intake?: { secret: string; replays: ReplayGuard };
  now?: () => Date;
  clientAddress?: (c: Context) => string | undefined;
}

/**
 * Everything in front of the `/v1` routes, in one middleware: `POST /v1/hooks/create` is rate limited
 * by address and then needs a good signature; every other request needs a bearer token (none on a
 * loopback server without tokens), is rate limited by token, and needs scope read to GET, write otherwise.
 * @example app.use('/v1/*', accessControl({ tokens: new SqliteTokenStore({ db }), host: '127.0.0.1', perMinute: 120, intake: { secret, replays: new SqliteReplayGuard({ db }) } }));
 */
export function accessControl(options: AccessControlOptions) {
  const now = options.now ?? (() => new Date());
  const limit = rateLimit({ perMinute: options.perMinute, now: () => now().getTime(), ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}) });
  const bearer = every(authenticate({ tokens: options.tokens, open: openWhenNoTokens({ tokens: options.tokens, host: options.host }) }), limit, requireScope(scopeForMethod));
  const intake = options.intake ? every(limit, signedIntake({ ...options.intake, now })) : undefined;
  return createMiddleware<AccessEnv>(async (c, next) => {
    if (intake && c.req.method === 'POST' && c.req.path === INTAKE_PATH) return intake(c, next);
    return bearer(c, next);
  });
}
