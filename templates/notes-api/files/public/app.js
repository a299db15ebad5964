// The page talks to the JSON API. Text is always inserted with textContent, never as HTML,
// so whatever a note says is shown, not run.
const list = document.getElementById('notes');
const form = document.getElementById('add');
const input = document.getElementById('text');
const errorBox = document.getElementById('error');
const template = document.getElementById('note');

{{> fetch-json.js}}

function render(notes) {
  list.replaceChildren(
    ...notes.map((note) => {
      const item = template.content.firstElementChild.cloneNode(true);
      const box = item.querySelector('input');
      item.querySelector('.text').textContent = note.text;
      item.classList.toggle('done', note.done);
      box.checked = note.done;
      box.addEventListener('change', () => run(() => request('PATCH', `/api/notes/${note.id}`, { done: box.checked })));
      item.querySelector('.delete').addEventListener('click', () => run(() => request('DELETE', `/api/notes/${note.id}`)));
      return item;
    }),
  );
  document.getElementById('empty').hidden = notes.length > 0;
}

async function refresh() {
  render(await request('GET', '/api/notes').catch(() => []));
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  run(async () => {
    await request('POST', '/api/notes', { text });
    input.value = '';
  });
});

run(async () => {});
