import type { Composition } from '../../../domain/index.ts';
import { includeParts, type TemplateParts } from '../template-parts.ts';

/**
 * The composed app's server: node:http only, the items in $DATA_DIR/items.json (replaced atomically),
 * each field checked against its type before it is stored. What it shares with the templates' servers
 * (HTTP helpers, the JSON-file store, static files, start and shutdown) comes from templates/_parts/.
 */
export function serverSource(composition: Composition, parts: TemplateParts): string {
  const schema = JSON.stringify({ fields: composition.entity.fields, board: composition.board ?? null });
  // Parts are included before the schema goes in, so nothing a request names can read as an include line.
  const withParts = (text: string) => includeParts('composed/server.js', text, parts);
  return `// ${composition.entity.plural}: ${withParts(HEAD)}const SCHEMA = ${schema};\n${withParts(BODY)}`;
}

const HEAD = `a JSON API (GET/POST /api/items, PUT/DELETE /api/items/<id>) and a page that uses it.
// Node built-ins only. Items live in $DATA_DIR/items.json, replaced atomically on every change.
import { randomUUID } from 'node:crypto';
{{> http-kit.js}}
const STORE_KEY = 'items';
const DATA_FILE = join(DATA_DIR, 'items.json');
const API_PATH = /^\\/api\\/items(?:\\/([0-9a-f-]{36}))?\\/?$/;
`;

const BODY = `const MAX_BODY_BYTES = 64 * 1024;
const MAX_ITEMS = 2000;
const LIMITS = { text: 200, longtext: 5000, url: 2000 };

{{> json-store.js}}

const onShutdown = () => {};

// ---- HTTP ------------------------------------------------------------------------------------

/** The item's fields from a request body, each checked against its type; the message names the field to fix. */
function validate(body) {
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
  throw methodNotAllowed(res, id ? 'PUT, DELETE' : 'GET, POST');
}

{{> api-server.js}}
`;
