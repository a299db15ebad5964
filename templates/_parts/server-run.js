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
