// The page talks to the JSON API. Stored text is always put in with textContent (never as HTML),
// and links only get http(s) addresses, so whatever is stored is shown, not run.
const form = document.getElementById('edit');
const saveButton = document.getElementById('save');
const cancelButton = document.getElementById('cancel');
const errorBox = document.getElementById('error');
const template = document.getElementById('item');
let editing = null;

async function request(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.error || `${method} ${path} failed (${response.status})`);
  }
  return response.status === 204 ? null : response.json();
}

function showError(error) {
  errorBox.textContent = error ? error.message : '';
  errorBox.hidden = !error;
}

const isWebUrl = (value) => /^https?:\/\//i.test(value);

/** A fresh copy of the item template with its text slots filled. */
function itemFrom(values) {
  const item = template.content.firstElementChild.cloneNode(true);
  for (const [slot, value] of Object.entries(values)) {
    const element = item.querySelector(`.${slot}`);
    if (element) element.textContent = value;
  }
  return item;
}

/** Fills the form with an item's values; saving then changes that item instead of adding one. */
function startEditing(key, values) {
  editing = key;
  for (const [name, value] of Object.entries(values)) form.elements[name].value = value;
  saveButton.textContent = 'Save';
  cancelButton.hidden = false;
  form.elements[0].focus();
}

function stopEditing() {
  editing = null;
  form.reset();
  saveButton.textContent = 'Add';
  cancelButton.hidden = true;
}

/** Runs one change, then reloads the list so the page shows what the server kept. */
async function run(action) {
  try {
    await action();
    showError(null);
  } catch (error) {
    showError(error);
  }
  await refresh();
}

cancelButton.addEventListener('click', stopEditing);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const values = Object.fromEntries(new FormData(form));
  run(async () => {
    await save(values, editing);
    stopEditing();
  });
});

const list = document.getElementById('checks');

function describe(result) {
  if (!result) return { state: 'pending', label: 'Checking…', detail: '' };
  const detail = result.up || result.status ? `HTTP ${result.status} · ${result.latencyMs} ms` : result.error;
  return { state: result.up ? 'up' : 'down', label: result.up ? 'Up' : 'Down', detail };
}

let shown = '';

function render({ checks }) {
  // The list is refreshed every few seconds: redraw only when something changed, and give focus
  // back to the button that had it, so keyboard users are not thrown off the page.
  const json = JSON.stringify(checks);
  if (json === shown) return;
  shown = json;
  const focused = document.activeElement?.closest('.item') ? [document.activeElement.closest('.item').dataset.id, document.activeElement.className] : null;
  list.replaceChildren(
    ...checks.map((check) => {
      const { state, label, detail } = describe(check.result);
      const item = itemFrom({ name: check.name, url: check.url, state: label, detail });
      item.dataset.state = state;
      item.dataset.id = check.id;
      item.querySelector('.edit').setAttribute('aria-label', `Edit ${check.name}`);
      item.querySelector('.delete').setAttribute('aria-label', `Delete ${check.name}`);
      item.querySelector('.edit').addEventListener('click', () => startEditing(check.id, { name: check.name, url: check.url }));
      item.querySelector('.delete').addEventListener('click', () => run(() => request('DELETE', `/api/checks/${check.id}`)));
      return item;
    }),
  );
  if (focused) list.querySelector(`[data-id="${focused[0]}"] .${focused[1]}`)?.focus();
  const down = checks.filter((c) => c.result && !c.result.up).length;
  document.getElementById('summary').textContent = checks.length === 0 ? '' : down === 0 ? 'All systems up' : `${down} of ${checks.length} down`;
  document.getElementById('empty').hidden = checks.length > 0;
}

async function refresh() {
  render(await request('GET', '/api/checks').catch(() => ({ checks: [] })));
}

function save(values, id) {
  return id ? request('PATCH', `/api/checks/${id}`, values) : request('POST', '/api/checks', values);
}

refresh();
setInterval(refresh, 5000);
