import { InputError } from '../../domain/index.ts';
import { ACCENT_ALIASES, ACCENTS, colourSet, THEME_WORDS, type Theme } from './palette.ts';
import type { TemplateManifest } from './template-manifest.ts';
import { findDate, MODE_TITLES, timerMode } from './timer-mode.ts';

const MAX_TITLE_LENGTH = 60;
const MAX_TITLE_WORDS = 8;
const MAX_SUMMARY_LENGTH = 280;
const MAX_TEXT_PARAMETER = 2000;
const COLOR = /^#[0-9a-fA-F]{6}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Words that open a request but say nothing about the app ("please make me a …"). */
const LEADING_FILLER = new Set([
  'a', 'an', 'the', 'please', 'make', 'create', 'build', 'generate', 'write', 'give', 'get', 'me', 'us', 'i', 'we',
  'want', 'need', 'would', 'like', 'to', 'some', 'simple', 'small', 'tiny', 'basic', 'little', 'quick', 'new',
  'my', 'our', 'just', 'can', 'you', 'could', 'and', 'very', 'super', 'really',
]);
/** Words that end a request but are not part of a name ("… app please"). */
const TRAILING_FILLER = new Set(['app', 'application', 'webapp', 'please', 'for', 'and', 'of', 'a', 'an', 'the', 'to', 'with', 'my']);
/** Words about looks, not about what the app is; dropped from the front of a title. */
const STYLE_WORDS = new Set([
  ...Object.keys(ACCENTS), ...Object.keys(ACCENT_ALIASES), ...Object.keys(THEME_WORDS),
  'theme', 'themed', 'mode', 'color', 'colour', 'colored', 'coloured', 'minimal', 'minimalist', 'modern', 'clean',
  'nice', 'pretty', 'beautiful', 'cool', 'fancy', 'sleek', 'responsive', 'elegant', 'colorful', 'colourful',
]);
/** Small words kept lower-case inside a title. */
const SMALL_WORDS = new Set(['a', 'an', 'the', 'and', 'or', 'but', 'for', 'of', 'to', 'in', 'on', 'at', 'by', 'with', 'from', 'as', 'nor']);
/** Where the name part of a request ends and the wishes begin; a colon inside a time ("18:30") is no break. */
const CLAUSE_BREAK = /[,.;!?()[\]{}—–]|(?<!\d):|:(?!\d)| - |\b(?:with|that|which|where|using|in|so|because|featuring|including|called|named|titled)\b/i;

const isStyleWord = (word: string) => word.toLowerCase().split('-').every((part) => STYLE_WORDS.has(part));

function titleCase(words: string[]): string {
  return words
    .map((word, i) => {
      // A word someone capitalised or wrote with digits ("RSVP", "iPhone", "2048") stays as written.
      if (/[A-Z0-9]/.test(word)) return word;
      if (i > 0 && SMALL_WORDS.has(word)) return word;
      return word.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('-');
    })
    .join(' ');
}

function limitWords(words: string[]): string {
  let title = '';
  for (const word of words.slice(0, MAX_TITLE_WORDS)) {
    const next = title ? `${title} ${word}` : word;
    if (next.length > MAX_TITLE_LENGTH) break;
    title = next;
  }
  return title || (words[0] ?? '').slice(0, MAX_TITLE_LENGTH);
}

/**
 * A title from a description: a quoted name, a name after "called"/"named", or else the words
 * before the first clause ("with …", "that …"), without filler and colour words, in title case.
 * @example deriveTitle('a pomodoro timer with a dark theme') // 'Pomodoro Timer'
 * @example deriveTitle('a landing page called "Moon Bakery"') // 'Moon Bakery'
 */
export function deriveTitle(description: string): string | undefined {
  const quoted = /["“”]([^"“”]{2,60})["“”]/.exec(description)?.[1]?.trim();
  if (quoted) return limitWords(quoted.split(/\s+/));
  const named = /\b(?:called|named|titled)\s+(.+)/i.exec(description)?.[1];
  const phrase = (named ?? description).split(CLAUSE_BREAK)[0] ?? '';
  const words = phrase.split(/\s+/).filter((w) => w.length > 0);
  if (!named) {
    while (words.length > 0 && (LEADING_FILLER.has(words[0]!.toLowerCase()) || isStyleWord(words[0]!))) words.shift();
  }
  while (words.length > 0 && TRAILING_FILLER.has(words.at(-1)!.toLowerCase())) words.pop();
  if (words.length === 0) return undefined;
  return limitWords(titleCase(words).split(' '));
}

/**
 * The description as a sentence for a page: capitalised, ending in a full stop, at most 280 characters.
 * @example summarize('a todo list for groceries') // 'A todo list for groceries.'
 */
export function summarize(description: string): string {
  let text = description.replace(/\s+/g, ' ').trim();
  if (text.length > MAX_SUMMARY_LENGTH) {
    const cut = text.slice(0, MAX_SUMMARY_LENGTH - 1);
    text = `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : cut.length)}…`;
  }
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

/**
 * The theme and accent a description asks for, if any: the first theme word ("dark", "night", "light"),
 * and the first colour name or `#rgb`/`#rrggbb` literal.
 * @example detectStyle('a pomodoro timer with a dark theme in teal') // { theme: 'dark', accent: 'teal' }
 */
export function detectStyle(description: string): { theme?: Theme; accent?: string } {
  const style: { theme?: Theme; accent?: string } = {};
  const hex = /#([0-9a-f]{6}|[0-9a-f]{3})(?![0-9a-z])/i.exec(description)?.[1]?.toLowerCase();
  if (hex) style.accent = `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
  for (const word of description.toLowerCase().split(/[^a-z]+/)) {
    const theme = THEME_WORDS[word];
    if (theme && !style.theme) style.theme = theme;
    const accent = ACCENTS[word] ? word : ACCENT_ALIASES[word];
    if (accent && !style.accent) style.accent = accent;
  }
  return style;
}

/**
 * Parameters derived from a description: title, heading, description and — only when the
 * description asks for them — the colours. `defaults` (the template's parameters and their defaults)
 * supplies the accent a theme is built around when no colour is named; a template declaring `mode`
 * (the timer family) also gets the mode the words ask for, and `countdownTo` the date a countdown runs to.
 * @example deriveParams('a pomodoro timer with a dark theme').theme // 'dark'
 * @example deriveParams('days until June 12 2027', { mode: 'pomodoro', countdownTo: '' }) // { mode: 'countdown', countdownTo: '2027-06-12', … }
 */
export function deriveParams(description: string, defaults: Readonly<Record<string, string>> = {}): Record<string, string> {
  const params: Record<string, string> = { description: summarize(description) };
  const mode = Object.hasOwn(defaults, 'mode') ? timerMode(description) : undefined;
  if (mode) params['mode'] = mode;
  const date = mode === 'countdown' && Object.hasOwn(defaults, 'countdownTo') ? findDate(description) : undefined;
  if (date) params['countdownTo'] = date;
  // A request that names no app gets the mode's own name rather than the template's default one.
  const title = deriveTitle(description) ?? (mode ? MODE_TITLES[mode] : undefined);
  if (title) Object.assign(params, { title, heading: title });
  const style = detectStyle(description);
  if (style.theme || style.accent) {
    const theme = style.theme ?? 'light';
    const fallbackAccent = defaults['accentColor'] && COLOR.test(defaults['accentColor']) ? defaults['accentColor'].toLowerCase() : 'blue';
    Object.assign(params, colourSet(theme, style.accent ?? fallbackAccent));
  }
  return params;
}

/**
 * Every parameter the template declares, filled from `values` or the template's default and checked
 * against its kind. Values the template does not declare are ignored. Keys come out sorted.
 * @example resolveParams(manifest, { title: 'Focus' }).title // 'Focus'
 */
export function resolveParams(manifest: Pick<TemplateManifest, 'id' | 'parameters'>, values: Readonly<Record<string, string>>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const name of Object.keys(manifest.parameters).sort()) {
    const parameter = manifest.parameters[name]!;
    const value = Object.hasOwn(values, name) ? values[name]! : parameter.default;
    const problem = parameterProblem(parameter, value);
    if (problem) {
      throw new InputError(`parameter ${name} of template ${manifest.id} ${problem}`, { hint: 'Plan the app again, or fix the parameter value.' });
    }
    resolved[name] = parameter.kind === 'color' ? value.toLowerCase() : value;
  }
  return resolved;
}

function parameterProblem(parameter: TemplateManifest['parameters'][string], value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be text';
  switch (parameter.kind) {
    case 'text':
      if (value.length > MAX_TEXT_PARAMETER) return `is longer than ${MAX_TEXT_PARAMETER} characters`;
      if (CONTROL.test(value)) return 'contains control characters';
      if (parameter.pattern !== undefined && !new RegExp(`^(?:${parameter.pattern})$`).test(value)) {
        return `must be ${parameter.description.charAt(0).toLowerCase()}${parameter.description.slice(1)}, not ${JSON.stringify(value.slice(0, 40))}`;
      }
      return undefined;
    case 'color':
      return COLOR.test(value) ? undefined : `must be a colour like #1a2b3c, not ${JSON.stringify(value.slice(0, 40))}`;
    case 'integer': {
      if (!/^\d{1,6}$/.test(value)) return `must be a whole number, not ${JSON.stringify(value.slice(0, 40))}`;
      const n = Number(value);
      if (parameter.min !== undefined && n < parameter.min) return `must be at least ${parameter.min}`;
      if (parameter.max !== undefined && n > parameter.max) return `must be at most ${parameter.max}`;
      return undefined;
    }
    case 'choice':
      return parameter.choices?.includes(value) ? undefined : `must be one of ${(parameter.choices ?? []).join(', ')}`;
  }
}
