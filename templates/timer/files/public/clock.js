// A clock: the time here, large, and the time in the zones the person adds, kept in local storage.
const $ = (id) => document.getElementById(id);
const STORAGE_KEY = 'timer-zones';
const ZONES = Intl.supportedValuesOf('timeZone');

/** "America/New_York" → "New York (America)": the city first, as people look for it. */
function zoneName(zone) {
  const parts = zone.split('/').map((part) => part.replaceAll('_', ' '));
  return parts.length > 1 ? `${parts.at(-1)} (${parts.slice(0, -1).join(', ')})` : parts[0];
}

function loadZones() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]');
    return Array.isArray(saved) ? [...new Set(saved.filter((zone) => ZONES.includes(zone)))] : [];
  } catch {
    // Unreadable saved zones are not worth an error: the clock shows the local time only.
    return [];
  }
}

let zones = loadZones();
const save = () => localStorage.setItem(STORAGE_KEY, JSON.stringify(zones));

function renderZones() {
  const items = zones.map((zone) => {
    const item = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = zoneName(zone);
    const time = document.createElement('time');
    time.className = 'zone-time';
    time.dataset.zone = zone;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove ${zoneName(zone)}`);
    remove.addEventListener('click', () => {
      zones = zones.filter((z) => z !== zone);
      save();
      renderZones();
      $('zone').focus();
    });
    item.append(name, time, remove);
    return item;
  });
  $('zones').replaceChildren(...items);
  $('zones').hidden = items.length === 0;
  tick();
}

function tick() {
  const now = new Date();
  $('now').textContent = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  $('now').dateTime = now.toISOString();
  $('today').textContent = now.toLocaleDateString([], { dateStyle: 'full' });
  for (const time of document.querySelectorAll('.zone-time')) {
    time.textContent = now.toLocaleString([], { timeZone: time.dataset.zone, weekday: 'short', hour: '2-digit', minute: '2-digit' });
  }
}

const select = $('zone');
select.replaceChildren(...ZONES.map((zone) => new Option(zoneName(zone), zone)));
select.value = Intl.DateTimeFormat().resolvedOptions().timeZone;
$('zone-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!ZONES.includes(select.value) || zones.includes(select.value)) return;
  zones = [...zones, select.value];
  save();
  renderZones();
});

renderZones();
setInterval(tick, 1000);
