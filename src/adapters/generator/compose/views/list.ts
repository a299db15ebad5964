/** The list view, always there: search, sort, and a form that adds or edits an item. Data is shown with textContent only. */
export const listMarkup = `<section aria-labelledby="list-heading">
  <h2 id="list-heading">All</h2>
  <div class="toolbar">
    <label>Search <input id="search" type="search" autocomplete="off"></label>
    <label>Sort by <select id="sort"></select></label>
    <label>Order <select id="order"><option value="asc">Ascending</option><option value="desc">Descending</option></select></label>
  </div>
  <p id="empty" class="muted">Nothing yet.</p>
  <ul id="items" class="items"></ul>
</section>`;

export const listScript = `
function renderList() {
  const query = $('search').value.trim().toLowerCase();
  const key = $('sort').value;
  const shown = items
    .filter((item) => !query || FIELDS.some((f) => String(display(f, item[f.name])).toLowerCase().includes(query)))
    .sort((a, b) => compare(a[key], b[key]) * ($('order').value === 'desc' ? -1 : 1));
  const list = $('items');
  list.replaceChildren(...shown.map((item) => {
    const li = el('li', 'item');
    const title = el('strong', '', display(FIELDS[0], item[FIELDS[0].name]));
    li.append(title);
    const details = el('dl');
    for (const f of FIELDS.slice(1)) {
      const value = item[f.name];
      if (value === '' || value === null || (Array.isArray(value) && value.length === 0)) continue;
      details.append(el('dt', '', f.label));
      const dd = el('dd');
      if (f.type === 'url') {
        const a = el('a', '', value);
        a.href = value;
        a.rel = 'noopener noreferrer';
        dd.append(a);
      } else dd.textContent = display(f, value);
      details.append(dd);
    }
    li.append(details);
    const edit = el('button', 'secondary', 'Edit');
    edit.type = 'button';
    edit.setAttribute('aria-label', 'Edit ' + display(FIELDS[0], item[FIELDS[0].name]));
    edit.addEventListener('click', () => startEdit(item));
    const remove = el('button', 'danger', 'Delete');
    remove.type = 'button';
    remove.setAttribute('aria-label', 'Delete ' + display(FIELDS[0], item[FIELDS[0].name]));
    remove.addEventListener('click', () => removeItem(item));
    li.append(edit, remove);
    return li;
  }));
  $('empty').hidden = shown.length > 0;
  $('empty').textContent = items.length === 0 ? 'Nothing yet.' : 'Nothing matches the search.';
}
$('search').addEventListener('input', renderList);
$('sort').addEventListener('change', renderList);
$('order').addEventListener('change', renderList);
for (const f of FIELDS) $('sort').append(new Option(f.label, f.name));
$('sort').append(new Option('When added', 'createdAt'));
// A log sorted by its date shows the latest first.
if (FIELDS[0].type === 'date') $('order').value = 'desc';
VIEWS.push(renderList);
`;
