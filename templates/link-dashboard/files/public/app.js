{{> page-kit.js}}

const groups = document.getElementById('groups');

function render(links) {
  const byGroup = Map.groupBy(links, (link) => link.group);
  groups.replaceChildren(
    ...[...byGroup].map(([name, members]) => {
      const section = document.createElement('section');
      section.className = 'group';
      const heading = document.createElement('h2');
      heading.textContent = name;
      const list = document.createElement('ul');
      list.className = 'links';
      list.append(...members.map(linkItem));
      section.append(heading, list);
      return section;
    }),
  );
  document.getElementById('empty').hidden = links.length > 0;
}

function linkItem(link) {
  const item = itemFrom({ description: link.description });
  const anchor = item.querySelector('a');
  anchor.textContent = link.name;
  if (isWebUrl(link.url)) anchor.href = link.url;
  item.querySelector('.edit').setAttribute('aria-label', `Edit ${link.name}`);
  item.querySelector('.delete').setAttribute('aria-label', `Delete ${link.name}`);
  item.querySelector('.edit').addEventListener('click', () => startEditing(link.id, { name: link.name, url: link.url, group: link.group, description: link.description }));
  item.querySelector('.delete').addEventListener('click', () => run(() => request('DELETE', `/api/links/${link.id}`)));
  return item;
}

async function refresh() {
  render(await request('GET', '/api/links').catch(() => []));
}

function save(values, id) {
  return id ? request('PATCH', `/api/links/${id}`, values) : request('POST', '/api/links', values);
}

refresh();
