{{> page-kit.js}}

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
