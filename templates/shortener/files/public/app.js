{{> page-kit.js}}

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
