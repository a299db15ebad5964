// Link dashboard: groups of links to the services of a homelab, editable in the page.
// Node built-ins only. The links live in $DATA_DIR/links.json.
import { randomUUID } from 'node:crypto';
{{> http-kit.js}}
const STORE_KEY = 'links';
const DATA_FILE = join(DATA_DIR, 'links.json');
const API_PATH = /^\/api\/links(?:\/([0-9a-f-]{36}))?\/?$/;
const MAX_BODY_BYTES = 16 * 1024;
const MAX_LINKS = 500;

{{> json-store.js}}

const onShutdown = () => {};

// ---- HTTP ------------------------------------------------------------------------------------

function fields(body, partial) {
  const out = {};
  if (!partial || body.name !== undefined) out.name = text(body, 'name', 80);
  if (!partial || body.url !== undefined) out.url = webUrl(body, 'url');
  if (!partial || body.group !== undefined) out.group = text(body, 'group', 60, { optional: true }) || 'Links';
  if (!partial || body.description !== undefined) out.description = text(body, 'description', 200, { optional: true });
  return out;
}

async function api(req, res, id) {
  if (!id && req.method === 'GET') return sendJson(res, 200, items);
  if (!id && req.method === 'POST') {
    const link = { id: randomUUID(), ...fields(await readJson(req), false), createdAt: new Date().toISOString() };
    await change((list) => {
      if (list.length >= MAX_LINKS) throw new HttpError(409, `there are already ${MAX_LINKS} links; delete some first`);
      return { next: [...list, link] };
    });
    return sendJson(res, 201, link);
  }
  if (id && req.method === 'PATCH') {
    const patch = fields(await readJson(req), true);
    const link = await change((list) => {
      const found = list.find((l) => l.id === id);
      if (!found) throw new HttpError(404, 'no such link');
      const updated = { ...found, ...patch };
      return { next: list.map((l) => (l.id === id ? updated : l)), result: updated };
    });
    return sendJson(res, 200, link);
  }
  if (id && req.method === 'DELETE') {
    await change((list) => {
      if (!list.some((l) => l.id === id)) throw new HttpError(404, 'no such link');
      return { next: list.filter((l) => l.id !== id) };
    });
    return sendJson(res, 204);
  }
  throw methodNotAllowed(res, id ? 'PATCH, DELETE' : 'GET, POST');
}

{{> api-server.js}}
