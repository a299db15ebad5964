// A form that keeps its submissions: POST /api/submissions (an HTML form or JSON), a list at
// /submissions and GET /api/submissions. Node built-ins only; data in $DATA_DIR/submissions.jsonl.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
{{> http-kit.js}}
const TITLE = '{{title}}';
const DATA_FILE = join(DATA_DIR, 'submissions.jsonl');
// When set, reading the submissions needs this password (HTTP Basic auth, any user name).
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD || '';
const MAX_BODY_BYTES = 16 * 1024;

const FIELDS = {
  name: { label: 'Name', max: 100 },
  email: { label: 'Email', max: 254, pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/ },
  message: { label: 'Message', max: 2000 },
};

const escapeHtml = (value) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** Checks each field; returns the cleaned values and, per field, what is wrong. */
function validate(input) {
  const values = {};
  const errors = {};
  for (const [key, rule] of Object.entries(FIELDS)) {
    const raw = input?.[key];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (raw !== undefined && typeof raw !== 'string') errors[key] = `${rule.label} must be text`;
    else if (!value) errors[key] = `${rule.label} is required`;
    else if (value.length > rule.max) errors[key] = `${rule.label} is longer than ${rule.max} characters`;
    else if (rule.pattern && !rule.pattern.test(value)) errors[key] = `${rule.label} does not look right`;
    values[key] = value;
  }
  return { values, errors };
}

// ---- storage: one JSON object per line, appended one at a time --------------------------------

let queue = mkdir(DATA_DIR, { recursive: true });

function store(entry) {
  const run = queue.then(() => appendFile(DATA_FILE, `${JSON.stringify(entry)}\n`));
  queue = run.catch(() => {});
  return run;
}

async function readSubmissions() {
  const text = await readFile(DATA_FILE, 'utf8').catch((error) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
  const entries = [];
  for (const line of text.split('\n')) {
    try {
      if (line) entries.push(JSON.parse(line));
    } catch {
      // A line cut short by a crash is skipped rather than hiding every other submission.
    }
  }
  return entries.reverse();
}

// ---- HTTP ------------------------------------------------------------------------------------

function send(res, status, body, type, extra = {}) {
  res.writeHead(status, { ...HEADERS, ...extra, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
const sendPage = (res, status, heading, body) =>
  send(res, status, `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(heading)} · ${escapeHtml(TITLE)}</title><link rel="stylesheet" href="/styles.css"></head>\n<body><main class="panel"><h1>${escapeHtml(heading)}</h1>\n${body}\n</main></body></html>\n`, 'text/html; charset=utf-8');

async function readBody(req) {
  const text = await readText(req);
  const type = req.headers['content-type'] || '';
  if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  if (!type.startsWith('application/json')) throw new HttpError(415, 'send a form or JSON');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}

function requireAdmin(req, res) {
  if (!ADMIN_PASSWORD) return;
  const [scheme, encoded] = (req.headers.authorization || '').split(' ');
  const password = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8').split(':').slice(1).join(':') : '';
  const digest = (s) => createHash('sha256').update(s).digest();
  if (timingSafeEqual(digest(password), digest(ADMIN_PASSWORD))) return;
  res.setHeader('WWW-Authenticate', 'Basic realm="submissions"');
  throw new HttpError(401, 'a password is required');
}

async function submit(req, res) {
  const fromForm = (req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded');
  const { values, errors } = validate(await readBody(req));
  if (Object.keys(errors).length > 0) {
    if (!fromForm) return sendJson(res, 400, { error: 'some fields need attention', fields: errors });
    const items = Object.values(errors).map((e) => `<li>${escapeHtml(e)}</li>`).join('');
    return sendPage(res, 400, 'Please check the form', `<ul class="errors">${items}</ul><p><a href="/">Back to the form</a></p>`);
  }
  const entry = { id: randomUUID(), createdAt: new Date().toISOString(), ...values };
  await store(entry);
  if (fromForm) return send(res, 303, '', 'text/plain; charset=utf-8', { Location: '/thanks.html' });
  return sendJson(res, 201, entry);
}

async function listPage(res) {
  const entries = await readSubmissions();
  const rows = entries
    .map((e) => `<article class="entry"><header><strong>${escapeHtml(e.name)}</strong> &lt;${escapeHtml(e.email)}&gt; <time>${escapeHtml(e.createdAt)}</time></header><p>${escapeHtml(e.message)}</p></article>`)
    .join('\n');
  sendPage(res, 200, 'Submissions', rows || '<p class="muted">No submissions yet.</p>');
}

{{> static-files.js}}

async function handle(req, res) {
  if (!URL.canParse(req.url, 'http://localhost')) throw new HttpError(400, 'bad request');
  const { pathname } = new URL(req.url, 'http://localhost');
  const route = `${req.method} ${pathname}`;
  if (route === 'GET /healthz') return sendJson(res, 200, { status: 'ok' });
  if (route === 'POST /api/submissions') return submit(req, res);
  if (route === 'GET /api/submissions' || route === 'GET /submissions') {
    requireAdmin(req, res);
    return pathname === '/submissions' ? listPage(res) : sendJson(res, 200, await readSubmissions());
  }
  if (pathname.startsWith('/api/')) throw new HttpError(404, 'no such endpoint');
  return serveStatic(req, res, pathname);
}

const onShutdown = () => {};

{{> server-run.js}}
