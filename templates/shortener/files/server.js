// URL shortener: short links that redirect (/<code> → 302) and count their hits.
// Node built-ins only. The links live in $DATA_DIR/links.json.
import { randomBytes } from 'node:crypto';
{{> http-kit.js}}
const STORE_KEY = 'links';
const DATA_FILE = join(DATA_DIR, 'links.json');
const MAX_BODY_BYTES = 16 * 1024;
const MAX_LINKS = 5000;
const CODE = /^[A-Za-z0-9_-]{1,40}$/;
/** Paths the app itself answers; a short link may not take them. */
const RESERVED = new Set(['api', 'healthz']);

{{> json-store.js}}

const onShutdown = () => {};

// ---- HTTP ------------------------------------------------------------------------------------

function customCode(body) {
  if (body.code === undefined || body.code === '') return null;
  if (typeof body.code !== 'string' || !CODE.test(body.code)) throw new HttpError(400, 'code may hold only letters, digits, - and _ (at most 40)');
  if (RESERVED.has(body.code.toLowerCase())) throw new HttpError(400, `code '${body.code}' is reserved`);
  return body.code;
}

async function api(req, res, code) {
  if (!code && req.method === 'GET') return sendJson(res, 200, items);
  if (!code && req.method === 'POST') {
    const body = await readJson(req);
    const url = webUrl(body, 'url');
    const wanted = customCode(body);
    const link = await change((list) => {
      if (list.length >= MAX_LINKS) throw new HttpError(409, `there are already ${MAX_LINKS} links; delete some first`);
      if (wanted && list.some((l) => l.code === wanted)) throw new HttpError(409, `the code '${wanted}' is taken; choose another`);
      let chosen = wanted;
      while (!chosen || list.some((l) => l.code === chosen)) chosen = randomBytes(4).toString('base64url');
      const created = { code: chosen, url, hits: 0, createdAt: new Date().toISOString() };
      return { next: [created, ...list], result: created };
    });
    return sendJson(res, 201, link);
  }
  if (code && req.method === 'PATCH') {
    const url = webUrl(await readJson(req), 'url');
    const link = await change((list) => {
      const found = list.find((l) => l.code === code);
      if (!found) throw new HttpError(404, 'no such short link');
      const updated = { ...found, url };
      return { next: list.map((l) => (l.code === code ? updated : l)), result: updated };
    });
    return sendJson(res, 200, link);
  }
  if (code && req.method === 'DELETE') {
    await change((list) => {
      if (!list.some((l) => l.code === code)) throw new HttpError(404, 'no such short link');
      return { next: list.filter((l) => l.code !== code) };
    });
    return sendJson(res, 204);
  }
  throw methodNotAllowed(res, code ? 'PATCH, DELETE' : 'GET, POST');
}

/** Sends the visitor on; not cached, so every visit is counted. HEAD looks without counting. */
async function redirect(req, res, link) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(res, 'GET, HEAD');
  if (req.method === 'GET') {
    await change((list) => ({ next: list.map((l) => (l.code === link.code ? { ...l, hits: l.hits + 1 } : l)) }));
  }
  res.writeHead(302, { ...HEADERS, Location: link.url, 'Cache-Control': 'no-store', 'Content-Length': 0 });
  res.end();
}

async function handle(req, res) {
  if (!URL.canParse(req.url, 'http://localhost')) throw new HttpError(400, 'bad request');
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  const match = /^\/api\/links(?:\/([A-Za-z0-9_-]{1,40}))?\/?$/.exec(pathname);
  if (match) return api(req, res, match[1]);
  if (pathname.startsWith('/api/')) throw new HttpError(404, 'no such endpoint');
  const short = /^\/([A-Za-z0-9_-]{1,40})$/.exec(pathname);
  const link = short && items.find((l) => l.code === short[1]);
  if (link) return redirect(req, res, link);
  return serveStatic(req, res, pathname);
}

{{> static-files.js}}

{{> server-run.js}}
