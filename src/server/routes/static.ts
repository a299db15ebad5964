import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';

/** Only what the page itself serves: no inline script or style, no other site, no framing. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/** Assets carry a hash of their content in their name: a changed file is a new name, so they never go stale. */
export const ASSET_CACHE = 'public, max-age=31536000, immutable';

/** The page's own routes (its router reads the path): each answers index.html. */
const PAGE_ROUTES = ['/', '/apps', '/apps/:app', '/runs/:runId', '/health', '/sign-in'];

const HINT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Slipway</title></head>
<body><h1>Slipway</h1><p>The web page is not built. Run <code>npm run bundle</code> in Slipway's folder, then reload.</p>
<p>The HTTP API answers meanwhile: its routes are listed in <a href="/openapi.json">/openapi.json</a>.</p></body></html>
`;

/**
 * The web page, built by Vite into `webDir` (index.html and assets/<name>-<hash>.js|css): assets with
 * a year-long cache, the page's routes with index.html (revalidated each time, so a new build is seen
 * at once), and the security headers on all of it. Without a build, the page routes say how to make one.
 * @example staticRoutes(app, '/opt/slipway/dist/web');
 */
export function staticRoutes(app: OpenAPIHono, webDir: string): void {
  const files = whenBuilt(webDir, () => serveStatic({ root: webDir }));
  app.use('/assets/*', async (c, next) => withPageHeaders(await files(c, next), ASSET_CACHE));
  for (const route of PAGE_ROUTES) {
    app.use(route, async (c, next) => {
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
      return withPageHeaders(await indexPage(c, webDir), 'no-cache');
    });
  }
  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/v1/') || c.req.path.startsWith('/assets/')) return next();
    // Other files of the build (an icon, say), revalidated like the page.
    return withPageHeaders(await files(c, next), 'no-cache');
  });
}

async function indexPage(c: Context, webDir: string): Promise<Response> {
  let html: string;
  try {
    html = await readFile(join(webDir, 'index.html'), 'utf8');
  } catch {
    html = HINT_PAGE;
  }
  return c.html(html);
}

/** Adds the headers every response of the page carries, and how long to cache it; nothing found (undefined) passes through. */
function withPageHeaders(response: Response | void, cache: string): Response | undefined {
  // When nothing was found, serveStatic hands on what the rest of the chain gives back, which is not a Response.
  if (!(response instanceof Response)) return undefined;
  if (response.ok) response.headers.set('Cache-Control', cache);
  response.headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.headers.set('X-Content-Type-Options', 'nosniff');
  response.headers.set('Referrer-Policy', 'no-referrer');
  return response;
}

/** serveStatic over `webDir` once it exists (it may be built after the server starts); until then, nothing is found. */
function whenBuilt(webDir: string, make: () => MiddlewareHandler): MiddlewareHandler {
  let handler: MiddlewareHandler | undefined;
  return async (c, next) => {
    if (!handler && !existsSync(webDir)) return next();
    handler ??= make();
    return handler(c, next);
  };
}
