// The page: lists the entries and signs the guestbook through the JSON API. Text is always set as
// textContent, never as HTML, so no entry can inject markup.
const form = document.getElementById('sign');
const list = document.getElementById('entries');
const empty = document.getElementById('empty');
const error = document.getElementById('error');
const template = document.getElementById('entry');

function showError(message) {
  error.textContent = message;
  error.hidden = !message;
}

function render(entries) {
  list.replaceChildren(
    ...entries.map((entry) => {
      const item = template.content.firstElementChild.cloneNode(true);
      item.querySelector('.message').textContent = entry.message;
      item.querySelector('.name').textContent = entry.name;
      const time = item.querySelector('time');
      time.dateTime = entry.createdAt;
      time.textContent = new Date(entry.createdAt).toLocaleString();
      return item;
    }),
  );
  empty.hidden = entries.length > 0;
}

async function request(path, init) {
  const res = await fetch(path, init);
  const body = res.status === 204 ? undefined : await res.json();
  if (!res.ok) throw new Error(body?.error || `the server answered ${res.status}`);
  return body;
}

async function refresh() {
  try {
    render(await request('/api/entries'));
    showError('');
  } catch (e) {
    showError(e.message);
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  try {
    await request('/api/entries', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: data.get('name'), message: data.get('message') }),
    });
    form.reset();
    await refresh();
  } catch (e) {
    showError(e.message);
  }
});

refresh();
