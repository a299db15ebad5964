// Guestbook: a page and a small JSON API (GET/POST /api/entries), entries kept in PostgreSQL.
// The database is DATABASE_URL; the table is created on start. The URL holds a password: it is never logged.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

const PORT = Number(process.env.PORT || 8080);
const HOST = process.env.HOST || '0.0.0.0';
const DATABASE_URL = process.env.DATABASE_URL || '';
const ROOT = fileURLToPath(new URL('./public/', import.meta.url));

const MAX_BODY_BYTES = 16 * 1024;
const MAX_NAME_LENGTH = 80;
const MAX_MESSAGE_LENGTH = 500;
const PAGE_SIZE = 100;

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' };
const HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'", 'Referrer-Policy': 'no-referrer' };

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---- storage ---------------------------------------------------------------------------------

const sql = DATABASE_URL ? postgres(DATABASE_URL, { max: 5, idle_timeout: 30, connect_timeout: 10, onnotice: () => {} }) : undefined;
let ready = false;

/** Creates the table, retrying while the database is still starting (it may come up after the app). */
async function prepare() {
  if (!sql) return console.warn('DATABASE_URL is not set: the guestbook cannot keep entries');
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`CREATE TABLE IF NOT EXISTS entries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`;
      ready = true;
      return console.log('database ready');
    } catch (error) {
      console.warn(`database not reachable yet (attempt ${attempt}): ${error.code || error.message}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 10_000)));
    }
  }
}

function database() {
  if (!sql) throw new HttpError(503, 'this guestbook has no database (DATABASE_URL is not set)');
  if (!ready) throw new HttpError(503, 'the database is starting; try again in a moment');
  return sql;
}

function toEntry(row) {
  return { id: String(row.id), name: row.name, message: row.message, createdAt: row.created_at.toISOString() };
}

// ---- HTTP ------------------------------------------------------------------------------------

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
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

function field(body, name, max) {
  const value = typeof body?.[name] === 'string' ? body[name].trim() : '';
  if (!value) throw new HttpError(400, `${name} is required`);
  if (value.length > max) throw new HttpError(400, `${name} is longer than ${max} characters`);
  // Control characters other than line breaks have no place in a guestbook.
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(value)) throw new HttpError(400, `${name} holds control characters`);
  return value;
}

async function api(req, res) {
  if (req.method === 'GET') {
    const rows = await database()`SELECT id, name, message, created_at FROM entries ORDER BY id DESC LIMIT ${PAGE_SIZE}`;
    return sendJson(res, 200, rows.map(toEntry));
  }
  if (req.method === 'POST') {
    const body = await readJson(req);
    const name = field(body, 'name', MAX_NAME_LENGTH);
    const message = field(body, 'message', MAX_MESSAGE_LENGTH);
    // Values are sent as parameters by postgres.js' tagged template: never spliced into the SQL text.
    const [row] = await database()`INSERT INTO entries (name, message) VALUES (${name}, ${message}) RETURNING id, name, message, created_at`;
    return sendJson(res, 201, toEntry(row));
  }
  res.setHeader('Allow', 'GET, POST');
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
  // 200 while the server runs, so a database that is still starting does not get the app restarted; the body says which.
  if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok', database: ready ? 'up' : sql ? 'starting' : 'none' });
  if (/^\/api\/entries\/?$/.test(pathname)) return api(req, res);
  if (pathname.startsWith('/api/')) throw new HttpError(404, 'no such endpoint');
  return serveStatic(req, res, pathname);
}

const server = createServer((req, res) => {
  res.on('finish', () => {
    const path = (req.url || '').split('?')[0];
    if (path !== '/healthz') console.log(`${req.method} ${path} ${res.statusCode}`);
  });
  handle(req, res).catch((error) => {
    const status = error instanceof HttpError ? error.status : 500;
    // A database error's message may name tables or values, never the URL; the client gets a plain line.
    if (status === 500) console.error(`${req.method} ${req.url}: ${error.code || ''} ${error.message}`);
    if (res.headersSent) return res.destroy();
    sendJson(res, status, { error: status === 500 ? 'internal error' : error.message });
  });
});

server.listen(PORT, HOST, () => console.log(`listening on http://${HOST}:${PORT}`));
prepare();

// Kubernetes sends SIGTERM before it stops a pod: finish open requests, close the pool, then exit.
function shutdown(signal) {
  console.log(`${signal} received, shutting down`);
  server.close(async () => {
    await sql?.end({ timeout: 5 });
    process.exit(0);
  });
  setInterval(() => server.closeIdleConnections(), 100).unref();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
