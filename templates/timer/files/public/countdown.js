// A countdown to a date and time. The target is kept in local storage so a reload keeps it; the
// time left is worked out from the clock every second rather than by counting ticks.
const $ = (id) => document.getElementById(id);
const input = $('target');
const STORAGE_KEY = 'timer-countdown';
const UNITS = [['days', 86_400_000], ['hours', 3_600_000], ['minutes', 60_000], ['seconds', 1000]];
const baseTitle = document.title;

/** A `datetime-local` value: a date alone counts down to the start of that day. */
const asLocal = (value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00` : value);

function target() {
  const at = input.value ? new Date(input.value) : null;
  return at && !Number.isNaN(at.getTime()) ? at : null;
}

function parts(ms) {
  let rest = Math.max(0, Math.floor(ms / 1000) * 1000);
  return UNITS.map(([name, size]) => {
    const count = Math.floor(rest / size);
    rest -= count * size;
    return [name, count];
  });
}

const plural = (count, name) => (count === 1 ? name.slice(0, -1) : name);

function summary(at, left) {
  if (!at) return 'Pick a date to count down to.';
  const when = at.toLocaleString([], { dateStyle: 'full', timeStyle: 'short' });
  if (left <= 0) return `It's here! ${when} has come.`;
  // Days and hours only: a screen reader hears a change about once an hour, not every second.
  const [[, days], [, hours]] = parts(left);
  return `${days} ${plural(days, 'days')} and ${hours} ${plural(hours, 'hours')} to go until ${when}.`;
}

function render() {
  const at = target();
  const left = at ? at.getTime() - Date.now() : 0;
  for (const [name, count] of parts(left)) {
    $(name).textContent = String(count);
    $(`${name}-label`).textContent = plural(count, name);
  }
  const text = summary(at, left);
  if ($('countdown-summary').textContent !== text) $('countdown-summary').textContent = text;
  document.body.classList.toggle('arrived', Boolean(at) && left <= 0);
  document.title = at && left > 0 ? `${parts(left)[0][1]}d ${parts(left)[1][1]}h · ${baseTitle}` : baseTitle;
}

input.value = asLocal(localStorage.getItem(STORAGE_KEY) ?? input.dataset.default ?? '');
input.addEventListener('change', () => {
  localStorage.setItem(STORAGE_KEY, input.value);
  render();
});
$('target-form').addEventListener('submit', (event) => event.preventDefault());
render();
setInterval(render, 1000);
