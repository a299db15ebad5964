// Notes: a small JSON API (GET/POST/PATCH/DELETE /api/notes) and a page that uses it.
// Node built-ins only. Notes live in $DATA_DIR/notes.json, replaced atomically on every change.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.PORT || 8080);
const HOST = process.env.HOST || '0.0.0.0';
const DATA_DIR = resolve(process.env.DATA_DIR || './data');
const DATA_FILE = join(DATA_DIR, 'notes.json');
const ROOT = fileURLToPath(new URL('./public/', import.meta.url));

const MAX_BODY_BYTES = 16 * 1024;
const MAX_TEXT_LENGTH = 1000;
const MAX_NOTES = 500;

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' };
const HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'", 'Referrer-Policy': 'no-referrer' };

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---- storage ---------------------------------------------------------------------------------

let notes = await load();
let queue = Promise.resolve();

async function load() {
  await mkdir(DATA_DIR, { recursive: true });
  try {
    const { notes: saved } = JSON.parse(await readFile(DATA_FILE, 'utf8'));
    if (!Array.isArray(saved)) throw new Error('it holds no list of notes');
    return saved;
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw new Error(`cannot read ${DATA_FILE}: ${error.message}; fix or move the file, then start again`);
  }
}

/** Writes a temp file, flushes it, then renames it over the old one: a crash leaves old or new, never half. */
async function save(list) {
  const temp = `${DATA_FILE}.${process.pid}.tmp`;
  const file = await open(temp, 'w');
  try {
    await file.writeFile(`${JSON.stringify({ notes: list }, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, DATA_FILE);
}

/** Applies one change at a time, so two requests never overwrite each other's notes. */
function change(update) {
  const run = queue.then(async () => {
    const { next, result } = update(notes);
    await save(next);
    notes = next;
    return result;
  });
  queue = run.catch(() => {});
  return run;
}

// ---- HTTP ------------------------------------------------------------------------------------

function sendJson(res, status, value) {
  const body = value === undefined ? '' : JSON.stringify(value);
  res.writeHead(status, { ...HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function readJson(req) {
  if (!(req.headers['content-type'] || '').startsWith('application/json')) throw new HttpError(415, 'send JSON with Content-Type: application/json');
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}

function noteText(body) {
  const text = typeof body?.text === 'string' ? body.text.trim() : '';
  if (!text) throw new HttpError(400, 'text is required');
  if (text.length > MAX_TEXT_LENGTH) throw new HttpError(400, `text is longer than ${MAX_TEXT_LENGTH} characters`);
  return text;
}

async function api(req, res, id) {
  if (!id && req.method === 'GET') return sendJson(res, 200, notes);
  if (!id && req.method === 'POST') {
    const text = noteText(await readJson(req));
    const note = { id: randomUUID(), text, done: false, createdAt: new Date().toISOString() };
    await change((list) => {
      if (list.length >= MAX_NOTES) throw new HttpError(409, `there are already ${MAX_NOTES} notes; delete some first`);
      return { next: [note, ...list], result: note };
    });
    return sendJson(res, 201, note);
  }
  if (id && req.method === 'PATCH') {
    const body = await readJson(req);
    const patch = {};
    if (body?.text !== undefined) patch.text = noteText(body);
    if (body?.done !== undefined) {
      if (typeof body.done !== 'boolean') throw new HttpError(400, 'done must be true or false');
      patch.done = body.done;
    }
    const note = await change((list) => {
      const found = list.find((n) => n.id === id);
      if (!found) throw new HttpError(404, 'no such note');
      const updated = { ...found, ...patch };
      return { next: list.map((n) => (n.id === id ? updated : n)), result: updated };
    });
    return sendJson(res, 200, note);
  }
  if (id && req.method === 'DELETE') {
    await change((list) => {
      if (!list.some((n) => n.id === id)) throw new HttpError(404, 'no such note');
      return { next: list.filter((n) => n.id !== id) };
    });
    return sendJson(res, 204);
  }
  res.setHeader('Allow', id ? 'PATCH, DELETE' : 'GET, POST');
  throw new HttpError(405, 'method not allowed');
}

/** Serves files from ROOT only: no '..', no hidden files. */
async function serveStatic(req, res, pathname) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    throw new HttpError(405, 'method not allowed');
  }
  let decoded;
  try {
    decoded = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  } catch {
    throw new HttpError(400, 'bad path');
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).some((s) => s.startsWith('.'))) throw new HttpError(404, 'not found');
  const file = join(ROOT, normalize(decoded));
  const info = file.startsWith(ROOT) ? await stat(file).catch(() => null) : null;
  if (!info?.isFile()) throw new HttpError(404, 'not found');
  res.writeHead(200, { ...HEADERS, 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Content-Length': info.size, 'Cache-Control': 'no-cache' });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

async function handle(req, res) {
  if (!URL.canParse(req.url, 'http://localhost')) throw new HttpError(400, 'bad request');
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  const match = /^\/api\/notes(?:\/([0-9a-f-]{36}))?\/?$/.exec(pathname);
  if (match) return api(req, res, match[1]);
  if (pathname.startsWith('/api/')) throw new HttpError(404, 'no such endpoint');
  return serveStatic(req, res, pathname);
}

const server = createServer((req, res) => {
  // One line per request, what `slipway logs` shows; not the health checks, which come every few seconds.
  res.on('finish', () => {
    const path = (req.url || '').split('?')[0];
    if (path !== '/healthz') console.log(`${req.method} ${path} ${res.statusCode}`);
  });
  handle(req, res).catch((error) => {
    const status = error instanceof HttpError ? error.status : 500;
    if (status === 500) console.error(error);
    if (res.headersSent) return res.destroy();
    sendJson(res, status, { error: status === 500 ? 'internal error' : error.message });
  });
});

server.listen(PORT, HOST, () => console.log(`listening on http://${HOST}:${PORT}, data in ${DATA_DIR}`));

// Kubernetes sends SIGTERM before it stops a pod: finish open requests and pending writes, then exit.
function shutdown(signal) {
  console.log(`${signal} received, shutting down`);
  server.close(() => queue.then(() => process.exit(0)));
  // close() ends idle keep-alive connections; one still sending a response is ended once it is done.
  setInterval(() => server.closeIdleConnections(), 100).unref();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
