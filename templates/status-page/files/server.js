// Status page: checks a list of URLs from the server on an interval and shows up or down, the
// status code and the latency. Node built-ins only. The list lives in $DATA_DIR/checks.json.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.PORT || 8080);
const HOST = process.env.HOST || '0.0.0.0';
const DATA_DIR = resolve(process.env.DATA_DIR || './data');
const ROOT = fileURLToPath(new URL('./public/', import.meta.url));
const STORE_KEY = 'checks';
const DATA_FILE = join(DATA_DIR, 'checks.json');
const MAX_BODY_BYTES = 16 * 1024;
const MAX_CHECKS = 100;
const INTERVAL_SECONDS = Number(process.env.CHECK_INTERVAL_SECONDS || 60);
if (!(INTERVAL_SECONDS >= 1 && INTERVAL_SECONDS <= 86_400)) {
  throw new Error(`CHECK_INTERVAL_SECONDS must be a number of seconds from 1 to 86400 (it is '${process.env.CHECK_INTERVAL_SECONDS}')`);
}
const INTERVAL_MS = INTERVAL_SECONDS * 1000;
const TIMEOUT_MS = 10_000;

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.ico': 'image/x-icon' };
const HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'", 'Referrer-Policy': 'no-referrer' };

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---- storage ---------------------------------------------------------------------------------

let items = await load();
let queue = Promise.resolve();

async function load() {
  await mkdir(DATA_DIR, { recursive: true });
  try {
    const saved = JSON.parse(await readFile(DATA_FILE, 'utf8'))[STORE_KEY];
    if (!Array.isArray(saved)) throw new Error(`it holds no list of ${STORE_KEY}`);
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
    await file.writeFile(`${JSON.stringify({ [STORE_KEY]: list }, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, DATA_FILE);
}

/** Applies one change at a time, so two requests never overwrite each other's changes. */
function change(update) {
  const run = queue.then(async () => {
    const { next, result } = update(items);
    await save(next);
    items = next;
    return result;
  });
  queue = run.catch(() => {});
  return run;
}

// ---- input -----------------------------------------------------------------------------------

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
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    return body;
  } catch {
    throw new HttpError(400, 'the body is not a JSON object');
  }
}

/** A trimmed string of 1..max characters (or '' when optional and missing). */
function text(body, name, max, { optional = false } = {}) {
  const value = body[name];
  if (value === undefined && optional) return '';
  if (typeof value !== 'string') throw new HttpError(400, `${name} must be text`);
  const trimmed = value.trim();
  if (!trimmed && !optional) throw new HttpError(400, `${name} is required`);
  if (trimmed.length > max) throw new HttpError(400, `${name} is longer than ${max} characters`);
  return trimmed;
}

/** An absolute http(s) URL: anything else (javascript:, data:) could run code where it is linked. */
function webUrl(body, name) {
  const value = text(body, name, 2000);
  const url = URL.canParse(value) ? new URL(value) : null;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new HttpError(400, `${name} must be a full http:// or https:// address`);
  return url.href;
}

function methodNotAllowed(res, allow) {
  res.setHeader('Allow', allow);
  return new HttpError(405, 'method not allowed');
}

// ---- checks ----------------------------------------------------------------------------------

/** The latest result per check id; they are measured again after a restart, so only the list is stored. */
const results = new Map();

/** One GET of a URL: up when it answers below 400 (redirects are not followed, a 301 is an answer). */
async function probe(url) {
  const started = performance.now();
  const checkedAt = () => new Date().toISOString();
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS), headers: { 'User-Agent': 'status-page' } });
    await response.body?.cancel();
    return { up: response.status < 400, status: response.status, latencyMs: Math.round(performance.now() - started), checkedAt: checkedAt(), error: null };
  } catch (error) {
    const reason = error.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : error.cause?.code || error.message;
    return { up: false, status: null, latencyMs: null, checkedAt: checkedAt(), error: reason };
  }
}

async function check(entry) {
  const result = await probe(entry.url);
  // The check may have been deleted or pointed elsewhere while it ran.
  if (items.some((c) => c.id === entry.id && c.url === entry.url)) results.set(entry.id, result);
}

let round = null;
/** Checks every URL at once; a round still running when the next is due is not doubled. */
function checkAll() {
  round ??= Promise.all(items.map(check)).finally(() => (round = null));
  return round;
}

const ticker = setInterval(checkAll, INTERVAL_MS);
checkAll();
const onShutdown = () => clearInterval(ticker);

// ---- HTTP ------------------------------------------------------------------------------------

const view = (entry) => ({ ...entry, result: results.get(entry.id) ?? null });

async function api(req, res, id) {
  if (!id && req.method === 'GET') return sendJson(res, 200, { intervalSeconds: INTERVAL_SECONDS, checks: items.map(view) });
  if (!id && req.method === 'POST') {
    const body = await readJson(req);
    const entry = { id: randomUUID(), name: text(body, 'name', 80), url: webUrl(body, 'url'), createdAt: new Date().toISOString() };
    await change((list) => {
      if (list.length >= MAX_CHECKS) throw new HttpError(409, `there are already ${MAX_CHECKS} checks; delete some first`);
      return { next: [...list, entry] };
    });
    check(entry);
    return sendJson(res, 201, view(entry));
  }
  if (id && req.method === 'PATCH') {
    const body = await readJson(req);
    const patch = {};
    if (body.name !== undefined) patch.name = text(body, 'name', 80);
    if (body.url !== undefined) patch.url = webUrl(body, 'url');
    const updated = await change((list) => {
      const found = list.find((c) => c.id === id);
      if (!found) throw new HttpError(404, 'no such check');
      const next = { ...found, ...patch };
      return { next: list.map((c) => (c.id === id ? next : c)), result: next };
    });
    if (patch.url) {
      results.delete(id);
      check(updated);
    }
    return sendJson(res, 200, view(updated));
  }
  if (id && req.method === 'DELETE') {
    await change((list) => {
      if (!list.some((c) => c.id === id)) throw new HttpError(404, 'no such check');
      return { next: list.filter((c) => c.id !== id) };
    });
    results.delete(id);
    return sendJson(res, 204);
  }
  throw methodNotAllowed(res, id ? 'PATCH, DELETE' : 'GET, POST');
}

async function handle(req, res) {
  if (!URL.canParse(req.url, 'http://localhost')) throw new HttpError(400, 'bad request');
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  const match = /^\/api\/checks(?:\/([0-9a-f-]{36}))?\/?$/.exec(pathname);
  if (match) return api(req, res, match[1]);
  if (pathname.startsWith('/api/')) throw new HttpError(404, 'no such endpoint');
  return serveStatic(req, res, pathname);
}

/** Serves files from ROOT only: no '..', no hidden files. */
async function serveStatic(req, res, pathname) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(res, 'GET, HEAD');
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
  onShutdown();
  server.close(() => queue.then(() => process.exit(0)));
  // close() ends idle keep-alive connections; one still sending a response is ended once it is done.
  setInterval(() => server.closeIdleConnections(), 100).unref();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
