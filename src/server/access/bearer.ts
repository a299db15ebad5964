import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { scopeAllows, type Caller, type TokenScope } from '../../domain/api-token.ts';
import type { TokenStore } from '../../ports/token-store.ts';
import { problem } from '../problem.ts';
import type { AccessEnv } from './context.ts';

/** The caller of a server that asks for no token: loopback only, and no token exists yet. */
export const ANONYMOUS: Caller = Object.freeze({ name: 'anonymous', scope: 'admin', anonymous: true });

const REALM = 'Bearer realm="slipway"';
const CREATE_HINT = 'Create a token with `slipway token create --name <client> --scope read|write|admin` and send it as `Authorization: Bearer <token>`.';

export interface AuthenticateOptions {
  tokens: Pick<TokenStore, 'verify'>;
  /** True when requests need no token (see openWhenNoTokens); asked on every request, so a new token takes effect at once. */
  open: () => boolean | Promise<boolean>;
}

/**
 * Finds who is calling from `Authorization: Bearer <token>` and sets `caller` on the context.
 * Missing, malformed or unknown tokens get 401 with `WWW-Authenticate: Bearer`. An open server lets a
 * request without the header in as an anonymous admin, but a token that is sent is always checked,
 * so a revoked or mistyped one is refused rather than ignored. A caller already set
 * by a middleware in front (the signed intake) is kept. Hono's own bearerAuth is not used: it throws
 * (so an app's error handler would reshape its answer) and answers 400 to a malformed header.
 * @example app.use('/v1/*', authenticate({ tokens, open: openWhenNoTokens({ tokens, host }) }));
 */
export function authenticate(options: AuthenticateOptions) {
  return createMiddleware<AccessEnv>(async (c, next) => {
    if (c.get('caller')) return next();
    const header = c.req.header('authorization');
    if (header === undefined || header.trim() === '') {
      if (await options.open()) {
        c.set('caller', ANONYMOUS);
        return next();
      }
      return unauthorized(c, REALM, 'Missing token', 'this request needs an API token: the Authorization header is missing');
    }
    const token = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    if (token === undefined) {
      return unauthorized(c, `${REALM}, error="invalid_request"`, 'Missing token', "the Authorization header must read 'Bearer <token>'");
    }
    // The store looks tokens up by their SHA-256, so the lookup's timing says nothing about a token's text.
    const caller = await options.tokens.verify(token);
    if (!caller) {
      return unauthorized(c, `${REALM}, error="invalid_token"`, 'Unknown token', 'the bearer token is not one this server issued, or it was revoked');
    }
    c.set('caller', caller);
    return next();
  });
}

function unauthorized(c: Context, challenge: string, title: string, detail: string): Response {
  c.header('WWW-Authenticate', challenge);
  return problem(c, 401, { title, detail, hint: CREATE_HINT });
}

/**
 * Lets the request through when its caller's scope is at least `needed` (read < write < admin), else 403.
 * @example app.delete('/v1/apps/:app', requireScope('write'), handler);
 */
export function requireScope(needed: TokenScope | ((c: Context) => TokenScope)) {
  return createMiddleware<AccessEnv>(async (c, next) => {
    const caller = c.get('caller');
    // Mounted without authenticate in front: refuse rather than let an unknown caller through.
    if (!caller) return unauthorized(c, REALM, 'Missing token', 'this request needs an API token');
    const scope = typeof needed === 'function' ? needed(c) : needed;
    if (!scopeAllows(caller.scope, scope)) {
      c.header('WWW-Authenticate', `${REALM}, error="insufficient_scope", scope="${scope}"`);
      return problem(c, 403, {
        title: 'Insufficient scope',
        detail: `the token '${caller.name}' has scope ${caller.scope}; ${c.req.method} ${c.req.path} needs ${scope}`,
        hint: `Use a token with scope ${scope} or more: \`slipway token create --name <client> --scope ${scope}\`.`,
      });
    }
    return next();
  });
}

/** Paths that need admin whatever the method: they act on what every app shares (the registry). */
const ADMIN_PATHS = new Set(['/v1/gc']);

/** The scope a request needs by its method: reading needs read; creating, deleting, resuming and cancelling need write; registry clean-up admin. */
export function scopeForMethod(c: Context): TokenScope {
  if (ADMIN_PATHS.has(c.req.path)) return 'admin';
  return ['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) ? 'read' : 'write';
}
