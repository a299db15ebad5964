import type { Composition } from '../../../domain/index.ts';

/**
 * The composed app's server: node:http only, the items in $DATA_DIR/items.json (replaced atomically),
 * each field checked against its type before it is stored.
 */
/** Spelt in two parts: Slipway's bundler rewrites that expression wherever it stands in a source file, strings included. */
const SELF_URL = ['import', 'meta', 'url'].join('.');

export function serverSource(composition: Composition): string {
  const schema = JSON.stringify({ fields: composition.entity.fields, board: composition.board ?? null });
  return `// ${composition.entity.plural}: a JSON API (GET/POST /api/items, PUT/DELETE /api/items/<id>) and a page that uses it.
// Node built-ins only. Items live in $DATA_DIR/items.json, replaced atomically on every change.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.PORT || 8080);
const HOST = process.env.HOST || '0.0.0.0';
const DATA_DIR = resolve(process.env.DATA_DIR || './data');
const DATA_FILE = join(DATA_DIR, 'items.json');
const ROOT = fileURLToPath(new URL('./public/', ${SELF_URL}));
const SCHEMA = ${schema};
const MAX_BODY_BYTES = 64 * 1024;
const MAX_ITEMS = 2000;
const LIMITS = { text: 200, longtext: 5000, url: 2000 };

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
const HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'", 'Referrer-Policy': 'no-referrer' };

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let items = await load();
let queue = Promise.resolve();

async function load() {
  await mkdir(DATA_DIR, { recursive: true });
  try {
    const { items: saved } = JSON.parse(await readFile(DATA_FILE, 'utf8'));
    if (!Array.isArray(saved)) throw new Error('it holds no list of items');
    return saved;
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw new Error(\`cannot read \${DATA_FILE}: \${error.message}; fix or move the file, then start again\`);
  }
}

/** A temp file, flushed, renamed over the old one: a crash leaves the old list or the new, never half. */
async function save(list) {
  const temp = \`\${DATA_FILE}.\${process.pid}.tmp\`;
  const file = await open(temp, 'w');
  try {
    await file.writeFile(\`\${JSON.stringify({ items: list }, null, 2)}\\n\`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, DATA_FILE);
}

/** One change at a time, so two requests never overwrite each other's items. */
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

/** The item's fields from a request body, each checked against its type; the message names the field to fix. */
function validate(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'send a JSON object of fields');
  const item = {};
  for (const field of SCHEMA.fields) {
    const value = body[field.name];
    const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
    if (empty) {
      if (field.required && field.type !== 'checkbox') throw new HttpError(400, \`\${field.label} is required\`);
      item[field.name] = field.type === 'checkbox' ? false : field.type === 'tags' ? [] : field.type === 'number' ? null : '';
      continue;
    }
    item[field.name] = check(field, value);
  }
  if (SCHEMA.board && !SCHEMA.board.columns.includes(item[SCHEMA.board.field])) {
    throw new HttpError(400, \`\${SCHEMA.board.field} must be one of: \${SCHEMA.board.columns.join(', ')}\`);
  }
  return item;
}

function check(field, value) {
  const label = field.label;
  switch (field.type) {
    case 'number': {
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new HttpError(400, \`\${label} must be a number\`);
      return n;
    }
    case 'checkbox':
      if (typeof value !== 'boolean') throw new HttpError(400, \`\${label} must be true or false\`);
      return value;
    case 'date':
      if (typeof value !== 'string' || !/^\\d{4}-\\d{2}-\\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new HttpError(400, \`\${label} must be a date like 2024-05-31\`);
      return value;
    case 'tags': {
      const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
      if (!list || list.some((t) => typeof t !== 'string')) throw new HttpError(400, \`\${label} must be a list of words\`);
      const tags = [...new Set(list.map((t) => t.trim()).filter(Boolean))];
      if (tags.length > 20 || tags.some((t) => t.length > 40)) throw new HttpError(400, \`\${label}: at most 20 tags of 40 characters\`);
      return tags;
    }
    case 'url': {
      if (typeof value !== 'string' || value.length > LIMITS.url) throw new HttpError(400, \`\${label} must be a web address\`);
      let url;
      try {
        url = new URL(value.trim());
      } catch {
        throw new HttpError(400, \`\${label} must be a web address like https://example.org\`);
      }
      // Only web addresses: a javascript: link in a stored item would run when clicked.
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpError(400, \`\${label} must start with http:// or https://\`);
      return url.href;
    }
    default: {
      if (typeof value !== 'string') throw new HttpError(400, \`\${label} must be text\`);
      const text = value.trim();
      if (text.length > LIMITS[field.type]) throw new HttpError(400, \`\${label} is longer than \${LIMITS[field.type]} characters\`);
      if (field.required && !text) throw new HttpError(400, \`\${label} is required\`);
      return text;
    }
  }
}

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
    if (size > MAX_BODY_BYTES) throw new HttpError(413, \`the body is larger than \${MAX_BODY_BYTES} bytes\`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}

async function api(req, res, id) {
  if (!id && req.method === 'GET') return sendJson(res, 200, items);
  if (!id && req.method === 'POST') {
    const item = { id: randomUUID(), ...validate(await readJson(req)), createdAt: new Date().toISOString() };
    await change((list) => {
      if (list.length >= MAX_ITEMS) throw new HttpError(409, \`there are already \${MAX_ITEMS} items; delete some first\`);
      return { next: [item, ...list], result: item };
    });
    return sendJson(res, 201, item);
  }
  if (id && req.method === 'PUT') {
    const fields = validate(await readJson(req));
    const updated = await change((list) => {
      const old = list.find((i) => i.id === id);
      if (!old) throw new HttpError(404, 'no such item');
      const item = { ...old, ...fields };
      return { next: list.map((i) => (i.id === id ? item : i)), result: item };
    });
    return sendJson(res, 200, updated);
  }
  if (id && req.method === 'DELETE') {
    await change((list) => {
      if (!list.some((i) => i.id === id)) throw new HttpError(404, 'no such item');
      return { next: list.filter((i) => i.id !== id), result: undefined };
    });
    return sendJson(res, 204);
  }
  throw new HttpError(405, 'method not allowed');
}

async function serveFile(req, res, pathname) {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
  const path = normalize(join(ROOT, pathname === '/' ? 'index.html' : decodeURIComponent(pathname)));
  if (!path.startsWith(ROOT)) throw new HttpError(404, 'not found');
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new HttpError(404, 'not found');
  res.writeHead(200, { ...HEADERS, 'Content-Type': TYPES[extname(path)] || 'application/octet-stream', 'Content-Length': info.size });
  if (req.method === 'HEAD') return res.end();
  createReadStream(path).pipe(res);
}

const server = createServer(async (req, res) => {
  try {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    const match = /^\\/api\\/items(?:\\/([0-9a-f-]{36}))?\\/?$/.exec(pathname);
    if (match) return await api(req, res, match[1]);
    if (pathname.startsWith('/api/')) throw new HttpError(404, 'not found');
    return await serveFile(req, res, pathname);
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500;
    if (status === 500) console.error(error);
    if (!res.headersSent) sendJson(res, status, { error: status === 500 ? 'internal error' : error.message });
    else res.destroy();
  }
});

server.listen(PORT, HOST, () => console.log(\`listening on http://\${HOST}:\${PORT}\`));
// Kubernetes sends SIGTERM before it stops a pod: finish open requests and pending writes, then exit.
function shutdown(signal) {
  console.log(\`\${signal} received, shutting down\`);
  server.close(() => queue.then(() => process.exit(0)));
  setInterval(() => server.closeIdleConnections(), 100).unref();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
`;
}
