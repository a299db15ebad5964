import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { SessionStore } from '../../ports/session-store.ts';
import type { TokenStore } from '../../ports/token-store.ts';
import { carriesCsrf, csrfRefused, SESSION_COOKIE } from '../access/index.ts';
import type { ServerDeps } from '../app.ts';
import { problem } from '../problem.ts';
import { problemResponses } from '../schemas.ts';

/** What signing in needs: the sessions, the tokens they are opened with, and whether the server asks for any. */
export interface SessionDeps {
  store: SessionStore;
  tokens: Pick<TokenStore, 'verify'>;
  open: () => boolean | Promise<boolean>;
}

const Scope = z.enum(['read', 'write', 'admin']);

const SessionStateSchema = z
  .object({
    open: z.boolean().openapi({ description: 'the server asks for no token (loopback, and no token exists)' }),
    signedIn: z.boolean(),
    name: z.string().optional().openapi({ description: "the session's token" }),
    scope: Scope.optional(),
    csrf: z.string().optional().openapi({ description: 'send it as X-CSRF-Token with every request that changes something' }),
  })
  .openapi('SessionState');

const SignedInSchema = z.object({ name: z.string(), scope: Scope, csrf: z.string() }).openapi('SignedIn');

const getSession = createRoute({
  method: 'get',
  path: '/v1/session',
  summary: 'Whether this browser is signed in, and its CSRF value',
  responses: { 200: { description: 'the session, if any', content: { 'application/json': { schema: SessionStateSchema } } }, ...problemResponses(500) },
});

const signIn = createRoute({
  method: 'post',
  path: '/v1/session',
  summary: 'Exchange an API token for a session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) that lives 12 hours',
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ token: z.string().min(1).openapi({ example: 'slw_…' }) }).openapi('SignIn') } } } },
  responses: {
    200: {
      description: 'signed in; the cookie is set',
      headers: { 'Set-Cookie': { schema: { type: 'string' as const }, description: 'slipway_session=<id>; Path=/; HttpOnly; SameSite=Strict' } },
      content: { 'application/json': { schema: SignedInSchema } },
    },
    ...problemResponses(400, 401, 409, 413, 415, 422, 500),
  },
});

const signOut = createRoute({
  method: 'delete',
  path: '/v1/session',
  summary: 'End the session and clear its cookie (needs X-CSRF-Token)',
  responses: { 204: { description: 'signed out' }, ...problemResponses(403, 500) },
});

export function sessionRoutes(app: OpenAPIHono, { sessions }: ServerDeps): void {
  app.openapi(getSession, async (c) => {
    const open = sessions ? await sessions.open() : true;
    const id = getCookie(c, SESSION_COOKIE);
    const session = sessions && id ? await sessions.store.find(id) : undefined;
    if (!session) return c.json({ open, signedIn: false }, 200);
    return c.json({ open, signedIn: true, name: session.caller.name, scope: session.caller.scope, csrf: session.csrf }, 200);
  });

  app.openapi(signIn, async (c) => {
    // Problems are declared among the route's responses; their bodies are not typed per status.
    if (!sessions) return problem(c, 409, { title: 'Conflict', detail: 'this server keeps no sessions', hint: 'Send the token as Authorization: Bearer <token> instead.' }) as never;
    const caller = await sessions.tokens.verify(c.req.valid('json').token);
    if (!caller) {
      return problem(c, 401, { title: 'Unknown token', detail: 'the token is not one this server issued, or it was revoked', hint: 'Create one with `slipway token create --name <who> --scope read|write|admin` on the server.' }) as never;
    }
    const opened = await sessions.store.open(caller);
    setCookie(c, SESSION_COOKIE, opened.id, { path: '/', httpOnly: true, sameSite: 'Strict', ...(overHttps(c) ? { secure: true } : {}) });
    c.header('Cache-Control', 'no-store');
    return c.json({ name: caller.name, scope: caller.scope, csrf: opened.csrf }, 200);
  });

  app.openapi(signOut, async (c) => {
    const id = getCookie(c, SESSION_COOKIE);
    const session = sessions && id ? await sessions.store.find(id) : undefined;
    if (session) {
      if (!(await carriesCsrf(c, session))) return csrfRefused(c);
      await sessions!.store.end(id!);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', ...(overHttps(c) ? { secure: true } : {}) });
    return c.body(null, 204);
  });
}

/** Whether the browser reached the server over HTTPS: directly, or through a proxy that says so. */
function overHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' || new URL(c.req.url).protocol === 'https:';
}
