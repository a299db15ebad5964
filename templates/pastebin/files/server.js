// Pastebin: pastes of text, each with its own page (/p/<id>) and a plain-text view (/raw/<id>).
// Node built-ins only. The pastes live in $DATA_DIR/pastes.json.
import { randomBytes } from 'node:crypto';
{{> http-kit.js}}
const STORE_KEY = 'pastes';
const DATA_FILE = join(DATA_DIR, 'pastes.json');
const MAX_BODY_BYTES = 256 * 1024;
const MAX_PASTE_LENGTH = 100_000;
const MAX_PASTES = 1000;

{{> json-store.js}}

const onShutdown = () => {};

// ---- HTTP ------------------------------------------------------------------------------------

/** The paste itself keeps its spaces and line breaks; only an empty one is refused. */
function pasteText(body) {
  if (typeof body.text !== 'string' || !body.text.trim()) throw new HttpError(400, 'text is required');
  if (body.text.length > MAX_PASTE_LENGTH) throw new HttpError(400, `text is longer than ${MAX_PASTE_LENGTH} characters`);
  return body.text;
}

const summary = ({ text: pasted, ...rest }) => ({ ...rest, length: pasted.length });

function find(id) {
  const paste = items.find((p) => p.id === id);
  if (!paste) throw new HttpError(404, 'no such paste');
  return paste;
}

async function api(req, res, id) {
  if (!id && req.method === 'GET') return sendJson(res, 200, items.map(summary));
  if (!id && req.method === 'POST') {
    const body = await readJson(req);
    const now = new Date().toISOString();
    const fields = { title: text(body, 'title', 120, { optional: true }) || 'Untitled', text: pasteText(body) };
    const paste = await change((list) => {
      if (list.length >= MAX_PASTES) throw new HttpError(409, `there are already ${MAX_PASTES} pastes; delete some first`);
      let pasteId;
      do pasteId = randomBytes(6).toString('base64url');
      while (list.some((p) => p.id === pasteId));
      const created = { id: pasteId, ...fields, createdAt: now, updatedAt: now };
      return { next: [created, ...list], result: created };
    });
    return sendJson(res, 201, paste);
  }
  if (id && req.method === 'GET') return sendJson(res, 200, find(id));
  if (id && req.method === 'PATCH') {
    const body = await readJson(req);
    const patch = { updatedAt: new Date().toISOString() };
    if (body.title !== undefined) patch.title = text(body, 'title', 120, { optional: true }) || 'Untitled';
    if (body.text !== undefined) patch.text = pasteText(body);
    const paste = await change((list) => {
      const updated = { ...find(id), ...patch };
      return { next: list.map((p) => (p.id === id ? updated : p)), result: updated };
    });
    return sendJson(res, 200, paste);
  }
  if (id && req.method === 'DELETE') {
    await change((list) => {
      find(id);
      return { next: list.filter((p) => p.id !== id) };
    });
    return sendJson(res, 204);
  }
  throw methodNotAllowed(res, id ? 'GET, PATCH, DELETE' : 'GET, POST');
}

/** The paste as it was written, as plain text that a browser neither renders nor runs. */
function raw(req, res, id) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(res, 'GET, HEAD');
  const body = find(id).text;
  res.writeHead(200, { ...HEADERS, 'Content-Security-Policy': "default-src 'none'; sandbox", 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function handle(req, res) {
  if (!URL.canParse(req.url, 'http://localhost')) throw new HttpError(400, 'bad request');
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  const match = /^\/api\/pastes(?:\/([A-Za-z0-9_-]{8}))?\/?$/.exec(pathname);
  if (match) return api(req, res, match[1]);
  if (pathname.startsWith('/api/')) throw new HttpError(404, 'no such endpoint');
  const rawMatch = /^\/raw\/([A-Za-z0-9_-]{8})$/.exec(pathname);
  if (rawMatch) return raw(req, res, rawMatch[1]);
  // A paste's page is one static page that reads its id from the address.
  const page = /^\/p\/([A-Za-z0-9_-]{8})$/.exec(pathname);
  if (page) {
    find(page[1]);
    return serveStatic(req, res, '/index.html');
  }
  return serveStatic(req, res, pathname);
}

{{> static-files.js}}

{{> server-run.js}}
