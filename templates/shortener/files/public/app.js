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

const list = document.getElementById('links');

function render(links) {
  list.replaceChildren(
    ...links.map((link) => {
      const short = `${location.origin}/${link.code}`;
      const item = itemFrom({ url: link.url, hits: `${link.hits} ${link.hits === 1 ? 'visit' : 'visits'}` });
      const anchor = item.querySelector('a');
      anchor.textContent = short;
      anchor.href = `/${encodeURIComponent(link.code)}`;
      item.querySelector('.edit').setAttribute('aria-label', `Edit ${short}`);
      item.querySelector('.delete').setAttribute('aria-label', `Delete ${short}`);
      item.querySelector('.edit').addEventListener('click', () => {
        startEditing(link.code, { url: link.url, code: link.code });
        form.elements.code.disabled = true;
      });
      item.querySelector('.delete').addEventListener('click', () => run(() => request('DELETE', `/api/links/${encodeURIComponent(link.code)}`)));
      return item;
    }),
  );
  document.getElementById('empty').hidden = links.length > 0;
}

async function refresh() {
  render(await request('GET', '/api/links').catch(() => []));
}

function save(values, code) {
  form.elements.code.disabled = false;
  // A short link's code stays; only where it leads can change.
  return code ? request('PATCH', `/api/links/${encodeURIComponent(code)}`, { url: values.url }) : request('POST', '/api/links', values);
}

cancelButton.addEventListener('click', () => (form.elements.code.disabled = false));
refresh();
