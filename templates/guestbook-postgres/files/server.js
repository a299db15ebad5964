// Guestbook: a page and a small JSON API (GET/POST /api/entries), entries kept in PostgreSQL.
// The database is DATABASE_URL; the table is created on start. The URL holds a password: it is never logged.
import postgres from 'postgres';
{{> http-kit.js}}
const DATABASE_URL = process.env.DATABASE_URL || '';
const MAX_BODY_BYTES = 16 * 1024;
const MAX_NAME_LENGTH = 80;
const MAX_MESSAGE_LENGTH = 500;
const PAGE_SIZE = 100;

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
  throw methodNotAllowed(res, 'GET, POST');
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

{{> static-files.js}}

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
