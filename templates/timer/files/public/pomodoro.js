// The pomodoro timer, entirely in the browser. Time is measured against the clock (Date.now()) rather
// than by counting ticks, because browsers throttle timers in background tabs.
const $ = (id) => document.getElementById(id);
const form = $('settings');
const baseTitle = document.title;
const LABELS = { work: 'Focus', short: 'Short break', long: 'Long break' };
const STORAGE_KEY = 'timer-settings';

const state = { mode: 'work', remaining: 0, endsAt: null, done: 0, interval: null };
let audio = null;

function settings() {
  const data = new FormData(form);
  const number = (name, fallback) => {
    const value = Number(data.get(name));
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return {
    work: number('work', 25),
    short: number('short', 5),
    long: number('long', 15),
    every: Math.round(number('every', 4)),
    auto: data.get('auto') === 'on',
  };
}

function loadSettings() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || '{}');
    for (const [name, value] of Object.entries(saved)) {
      const input = form.elements.namedItem(name);
      if (!input) continue;
      if (input.type === 'checkbox') input.checked = Boolean(value);
      else input.value = String(value);
    }
  } catch {
    // Unreadable settings are not worth an error: the defaults apply.
  }
}

const duration = (mode) => settings()[mode] * 60_000;
const remaining = () => (state.endsAt === null ? state.remaining : state.endsAt - Date.now());
const running = () => state.endsAt !== null;

function format(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 60))}:${pad(total % 60)}`;
}

function render() {
  const left = remaining();
  const full = duration(state.mode);
  $('display').textContent = format(left);
  $('bar').style.width = `${Math.min(100, Math.max(0, 100 * (1 - left / full)))}%`;
  $('start').textContent = running() ? 'Pause' : left < full ? 'Resume' : 'Start';
  $('rounds').textContent = `${state.done} focus session${state.done === 1 ? '' : 's'} done`;
  document.title = running() || left < full ? `${format(left)} · ${LABELS[state.mode]} · ${baseTitle}` : baseTitle;
  document.body.dataset.mode = state.mode;
  for (const button of document.querySelectorAll('button[data-mode]')) {
    button.setAttribute('aria-pressed', String(button.dataset.mode === state.mode));
  }
}

function start() {
  if (running()) return;
  // Browsers only allow sound after a user gesture, so the audio context is created here.
  if (!audio && window.AudioContext) audio = new AudioContext();
  state.endsAt = Date.now() + state.remaining;
  state.interval = setInterval(tick, 250);
  render();
}

function pause() {
  if (!running()) return;
  state.remaining = Math.max(0, state.endsAt - Date.now());
  state.endsAt = null;
  clearInterval(state.interval);
  render();
}

function setMode(mode) {
  pause();
  state.mode = mode;
  state.remaining = duration(mode);
  render();
}

function next(countSession) {
  if (state.mode === 'work' && countSession) state.done += 1;
  const longBreak = state.done > 0 && state.done % settings().every === 0;
  setMode(state.mode !== 'work' ? 'work' : longBreak ? 'long' : 'short');
  if (countSession && settings().auto) start();
}

function tick() {
  if (remaining() > 0) return render();
  chime();
  next(true);
}

function chime() {
  if (!audio) return;
  for (let i = 0; i < 3; i++) {
    const at = audio.currentTime + i * 0.35;
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, at);
    gain.gain.exponentialRampToValueAtTime(0.001, at + 0.3);
    tone.connect(gain).connect(audio.destination);
    tone.start(at);
    tone.stop(at + 0.3);
  }
}

function showClock() {
  $('clock').textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

$('start').addEventListener('click', () => (running() ? pause() : start()));
$('reset').addEventListener('click', () => setMode(state.mode));
$('skip').addEventListener('click', () => next(false));
for (const button of document.querySelectorAll('button[data-mode]')) {
  button.addEventListener('click', () => setMode(button.dataset.mode));
}
form.addEventListener('submit', (event) => event.preventDefault());
form.addEventListener('change', () => {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(settings()));
  if (!running()) setMode(state.mode);
});
document.addEventListener('keydown', (event) => {
  if (event.code !== 'Space' || event.target.closest('input, button, summary')) return;
  event.preventDefault();
  if (running()) pause();
  else start();
});

loadSettings();
setMode('work');
showClock();
setInterval(showClock, 1000);
