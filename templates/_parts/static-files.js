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
