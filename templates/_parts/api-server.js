async function handle(req, res) {
  if (!URL.canParse(req.url, 'http://localhost')) throw new HttpError(400, 'bad request');
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  const match = API_PATH.exec(pathname);
  if (match) return api(req, res, match[1]);
  if (pathname.startsWith('/api/')) throw new HttpError(404, 'no such endpoint');
  return serveStatic(req, res, pathname);
}

{{> static-files.js}}

{{> server-run.js}}
