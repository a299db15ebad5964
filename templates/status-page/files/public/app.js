{{> page-kit.js}}

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
