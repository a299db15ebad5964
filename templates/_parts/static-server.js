// A tiny static file server: Node built-ins only. Serves ./public and answers GET /healthz.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.PORT || 8080);
const HOST = process.env.HOST || '0.0.0.0';
const ROOT = fileURLToPath(new URL('./public/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// Scripts and styles come from this origin only, so injected markup could not run even if it slipped in.
const HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { ...HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Maps a URL path to a file inside ROOT; null for anything that could leave it or is hidden. */
function resolveFile(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).some((s) => s.startsWith('.'))) return null;
  const file = join(ROOT, normalize(decoded));
  return file.startsWith(ROOT) ? file : null;
}

async function handle(req, res) {
  if (!URL.canParse(req.url, 'http://localhost')) return send(res, 400, 'bad request\n');
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/healthz') return send(res, 200, '{"status":"ok"}', 'application/json');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  let file = resolveFile(pathname);
  if (!file) return send(res, 404, 'not found\n');
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return send(res, 404, 'not found\n');
  res.writeHead(200, {
    ...HEADERS,
    'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
  });
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
    console.error(error);
    if (!res.headersSent) send(res, 500, 'internal error\n');
    else res.destroy();
  });
});

server.listen(PORT, HOST, () => console.log(`listening on http://${HOST}:${PORT}`));

// Kubernetes sends SIGTERM before it stops a pod: finish open requests, then exit cleanly.
function shutdown(signal) {
  console.log(`${signal} received, shutting down`);
  server.close(() => process.exit(0));
  // close() ends idle keep-alive connections; one still sending a response is ended once it is done.
  setInterval(() => server.closeIdleConnections(), 100).unref();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
