import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { problem } from '../problem.ts';
import type { AccessEnv } from './context.ts';
import { RateLimiter } from './rate-limiter.ts';

export interface RateLimitOptions {
  /** server.rateLimit.perMinute in slipway.yaml. */
  perMinute: number;
  /** Most keys remembered at once; default 10,000. */
  maxKeys?: number;
  now?: () => number;
  /** The client's address; by default the socket's peer on @hono/node-server. */
  clientAddress?: (c: Context) => string | undefined;
}

/** The peer address of a request served by @hono/node-server; undefined elsewhere (e.g. `app.request()` in tests). */
function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/**
 * Limits requests per caller: by token name once `authenticate` has run, else (no token, the signed
 * intake) by client address. Over the limit: 429 with Retry-After in whole seconds.
 * @example app.use('/v1/*', authenticate(…), rateLimit({ perMinute: config.server.rateLimit.perMinute }));
 */
export function rateLimit(options: RateLimitOptions) {
  const limiter = new RateLimiter({ perMinute: options.perMinute, ...(options.maxKeys ? { maxKeys: options.maxKeys } : {}) });
  const now = options.now ?? Date.now;
  const clientAddress = options.clientAddress ?? socketAddress;
  return createMiddleware<AccessEnv>(async (c, next) => {
    const caller = c.get('caller');
    const key = caller && !caller.anonymous ? `token:${caller.name}` : `address:${clientAddress(c) ?? 'unknown'}`;
    const decision = limiter.take(key, now());
    if (!decision.allowed) {
      c.header('Retry-After', String(decision.retryAfterSeconds));
      const who = caller && !caller.anonymous ? `the token '${caller.name}'` : 'this client address';
      return problem(c, 429, {
        title: 'Too many requests',
        detail: `${who} made more than ${limiter.perMinute} request${limiter.perMinute === 1 ? '' : 's'} in a minute`,
        hint: `Wait ${decision.retryAfterSeconds} s (Retry-After) and try again; server.rateLimit.perMinute in slipway.yaml sets the limit.`,
      });
    }
    return next();
  });
}
