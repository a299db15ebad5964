// A stopwatch with laps. The running state and the laps are kept in local storage so a reload keeps
// them; a running stopwatch stores when it started, so it keeps counting while the page is closed.
const $ = (id) => document.getElementById(id);
const STORAGE_KEY = 'timer-stopwatch';
const baseTitle = document.title;

/** `startedAt`: when the current run began (null when paused); `before`: time run before it; `laps`: totals at each lap. */
let state = load();

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || '{}');
    const number = (value) => (Number.isFinite(value) && value >= 0 ? value : 0);
    return {
      startedAt: Number.isFinite(saved.startedAt) ? saved.startedAt : null,
      before: number(saved.before),
      laps: Array.isArray(saved.laps) ? saved.laps.filter((lap) => Number.isFinite(lap) && lap >= 0) : [],
    };
  } catch {
    // An unreadable saved state is not worth an error: the stopwatch starts from zero.
    return { startedAt: null, before: 0, laps: [] };
  }
}

const save = () => localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
const running = () => state.startedAt !== null;
const elapsed = () => state.before + (running() ? Math.max(0, Date.now() - state.startedAt) : 0);

function format(ms) {
  const hundredths = Math.floor(ms / 10);
  const pad = (n) => String(n).padStart(2, '0');
  const [h, m, s, cs] = [Math.floor(hundredths / 360_000), Math.floor(hundredths / 6000) % 60, Math.floor(hundredths / 100) % 60, hundredths % 100];
  return `${h > 0 ? `${h}:` : ''}${pad(m)}:${pad(s)}.${pad(cs)}`;
}

function renderTime() {
  $('elapsed').textContent = format(elapsed());
  document.title = running() ? `${format(elapsed()).slice(0, -3)} · ${baseTitle}` : baseTitle;
}

function renderLaps() {
  const rows = state.laps.map((total, i) => {
    const row = document.createElement('tr');
    for (const text of [String(i + 1), format(total - (state.laps[i - 1] ?? 0)), format(total)]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  });
  // The newest lap first, where the eye is.
  $('laps').replaceChildren(...rows.reverse());
}

function render() {
  renderTime();
  renderLaps();
  $('sw-start').textContent = running() ? 'Pause' : elapsed() > 0 ? 'Resume' : 'Start';
  $('sw-lap').disabled = !running();
  $('sw-reset').disabled = running() || elapsed() === 0;
}

function toggle() {
  if (running()) state = { ...state, before: elapsed(), startedAt: null };
  else state = { ...state, startedAt: Date.now() };
  save();
  render();
}

function lap() {
  if (!running()) return;
  state = { ...state, laps: [...state.laps, elapsed()] };
  save();
  render();
}

function reset() {
  state = { startedAt: null, before: 0, laps: [] };
  save();
  render();
}

$('sw-start').addEventListener('click', toggle);
$('sw-lap').addEventListener('click', lap);
$('sw-reset').addEventListener('click', reset);
document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest('input, button, select, textarea, summary')) return;
  if (event.code === 'Space') {
    event.preventDefault();
    toggle();
  } else if (event.key === 'l' || event.key === 'L') {
    lap();
  }
});

render();
setInterval(() => running() && renderTime(), 50);
