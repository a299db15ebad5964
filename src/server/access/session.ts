import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Session, SessionStore } from '../../ports/session-store.ts';
import { problem } from '../problem.ts';
import type { AccessEnv } from './context.ts';

/** The cookie that carries a web page's session id. */
export const SESSION_COOKIE = 'slipway_session';
/** The header a cookie-authenticated request that changes something carries its CSRF value in. */
export const CSRF_HEADER = 'X-CSRF-Token';
/** The form field a plain HTML form carries it in instead. */
export const CSRF_FIELD = '_csrf';

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

export interface SessionCookieOptions {
  sessions: Pick<SessionStore, 'find'>;
  /** True when requests need no token (see openWhenNoTokens): a stale cookie is then no reason to refuse. */
  open: () => boolean | Promise<boolean>;
}

/**
 * Signs in a request by its session cookie, when it carries no Authorization header (a token sent is
 * what counts). The session's token must still exist: its name and scope become the caller. A request
 * that changes something must also carry the session's CSRF value (`X-CSRF-Token`, or a `_csrf` form
 * field), which a page on another site cannot read, so it cannot make a signed-in browser act.
 * An unknown or expired session is 401 `session-expired`; a missing or wrong CSRF value is 403 `csrf`.
 * @example app.use('/v1/*', sessionCookie({ sessions, open }), authenticate({ tokens, open }));
 */
export function sessionCookie(options: SessionCookieOptions) {
  return createMiddleware<AccessEnv>(async (c, next) => {
    if (c.get('caller') || c.req.header('authorization') !== undefined) return next();
    const id = getCookie(c, SESSION_COOKIE);
    if (!id) return next();
    const session = await options.sessions.find(id);
    if (!session) {
      if (await options.open()) return next();
      return sessionExpired(c);
    }
    if (!SAFE_METHODS.includes(c.req.method) && !(await carriesCsrf(c, session))) return csrfRefused(c);
    c.set('caller', session.caller);
    return next();
  });
}

/** Whether the request carries the session's CSRF value, in the header or a form field. */
export async function carriesCsrf(c: Context, session: Pick<Session, 'csrf'>): Promise<boolean> {
  const sent = c.req.header(CSRF_HEADER) ?? (await formField(c, CSRF_FIELD));
  if (!sent) return false;
  const [a, b] = [Buffer.from(sent), Buffer.from(session.csrf)];
  return a.length === b.length && timingSafeEqual(a, b);
}

async function formField(c: Context, name: string): Promise<string | undefined> {
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(c.req.header('content-type') ?? '')) return undefined;
  // Hono keeps the parsed body, so the route behind still reads it.
  const value = (await c.req.parseBody())[name];
  return typeof value === 'string' ? value : undefined;
}

export function sessionExpired(c: Context): Response {
  return problem(c, 401, {
    title: 'Session expired', detail: 'the session cookie belongs to no live session: it expired, was ended, or its token was revoked',
    hint: 'Sign in again with an API token (POST /v1/session).',
  });
}

export function csrfRefused(c: Context): Response {
  return problem(c, 403, {
    title: 'Missing CSRF token', type: 'csrf',
    detail: `a request signed in by the session cookie that changes something must carry the session's CSRF value in ${CSRF_HEADER} (or a ${CSRF_FIELD} form field)`,
    hint: 'Send the csrf value GET /v1/session gives.',
  });
}
