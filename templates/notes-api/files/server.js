// Notes: a small JSON API (GET/POST/PATCH/DELETE /api/notes) and a page that uses it.
// Node built-ins only. Notes live in $DATA_DIR/notes.json, replaced atomically on every change.
import { randomUUID } from 'node:crypto';
{{> http-kit.js}}
const STORE_KEY = 'notes';
const DATA_FILE = join(DATA_DIR, 'notes.json');
const API_PATH = /^\/api\/notes(?:\/([0-9a-f-]{36}))?\/?$/;
const MAX_BODY_BYTES = 16 * 1024;
const MAX_TEXT_LENGTH = 1000;
const MAX_NOTES = 500;

{{> json-store.js}}

const onShutdown = () => {};

// ---- HTTP ------------------------------------------------------------------------------------

function noteText(body) {
  const text = typeof body?.text === 'string' ? body.text.trim() : '';
  if (!text) throw new HttpError(400, 'text is required');
  if (text.length > MAX_TEXT_LENGTH) throw new HttpError(400, `text is longer than ${MAX_TEXT_LENGTH} characters`);
  return text;
}

async function api(req, res, id) {
  if (!id && req.method === 'GET') return sendJson(res, 200, items);
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
  throw methodNotAllowed(res, id ? 'PATCH, DELETE' : 'GET, POST');
}

{{> api-server.js}}
