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

const list = document.getElementById('pastes');
const viewer = document.getElementById('paste');
const pasteId = /^\/p\/([A-Za-z0-9_-]{8})$/.exec(location.pathname)?.[1];

function render(pastes) {
  list.replaceChildren(
    ...pastes.map((paste) => {
      const item = itemFrom({ meta: `${paste.length} characters · ${new Date(paste.createdAt).toLocaleString()}` });
      const anchor = item.querySelector('a');
      anchor.textContent = paste.title;
      anchor.href = `/p/${paste.id}`;
      item.querySelector('.edit').setAttribute('aria-label', `Edit ${paste.title}`);
      item.querySelector('.delete').setAttribute('aria-label', `Delete ${paste.title}`);
      item.querySelector('.edit').addEventListener('click', async () => {
        const full = await request('GET', `/api/pastes/${paste.id}`);
        startEditing(paste.id, { title: full.title, text: full.text });
      });
      item.querySelector('.delete').addEventListener('click', () => run(() => request('DELETE', `/api/pastes/${paste.id}`)));
      return item;
    }),
  );
  document.getElementById('empty').hidden = pastes.length > 0;
}

/** On /p/<id>: the paste itself above the list, in a <pre> filled with textContent. */
async function showPaste() {
  if (!pasteId) return;
  try {
    const paste = await request('GET', `/api/pastes/${pasteId}`);
    viewer.querySelector('h2').textContent = paste.title;
    viewer.querySelector('pre').textContent = paste.text;
    viewer.querySelector('.raw').href = `/raw/${paste.id}`;
    viewer.hidden = false;
  } catch (error) {
    viewer.hidden = true;
    showError(error);
  }
}

async function refresh() {
  render(await request('GET', '/api/pastes').catch(() => []));
  await showPaste();
}

function save(values, id) {
  return id ? request('PATCH', `/api/pastes/${id}`, values) : request('POST', '/api/pastes', values);
}

refresh();
