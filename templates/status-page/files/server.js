// Status page: checks a list of URLs from the server on an interval and shows up or down, the
// status code and the latency. Node built-ins only. The list lives in $DATA_DIR/checks.json.
import { randomUUID } from 'node:crypto';
{{> http-kit.js}}
const STORE_KEY = 'checks';
const DATA_FILE = join(DATA_DIR, 'checks.json');
const API_PATH = /^\/api\/checks(?:\/([0-9a-f-]{36}))?\/?$/;
const MAX_BODY_BYTES = 16 * 1024;
const MAX_CHECKS = 100;
const INTERVAL_SECONDS = Number(process.env.CHECK_INTERVAL_SECONDS || 60);
if (!(INTERVAL_SECONDS >= 1 && INTERVAL_SECONDS <= 86_400)) {
  throw new Error(`CHECK_INTERVAL_SECONDS must be a number of seconds from 1 to 86400 (it is '${process.env.CHECK_INTERVAL_SECONDS}')`);
}
const INTERVAL_MS = INTERVAL_SECONDS * 1000;
const TIMEOUT_MS = 10_000;

{{> json-store.js}}

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

{{> api-server.js}}
