import { InputError } from '../../domain/index.ts';
import { ACCENT_ALIASES, ACCENTS, colourSet, THEME_WORDS, type Theme } from './palette.ts';
import type { TemplateManifest } from './template-manifest.ts';
import { findDate, MODE_TITLES, timerMode, type TimerMode } from './timer-mode.ts';

/** What the offline generator says when a change needs a model (the README's words for setting one). */
export const NEEDS_MODEL_HINT = 'Configure a model: set `llm:` (provider and models) in slipway.yaml, or OPENAI_API_KEY (or another provider\'s variable, see "AI generation" in the README), then ask again.';

/** Text parameters a request may set, by the words people use for them. */
const TEXT_TARGETS: ReadonlyArray<{ words: RegExp; params: readonly string[] }> = [
  { words: /\b(?:heading|headline)\b/i, params: ['heading'] },
  { words: /\b(?:description|tagline|subtitle|subheading|intro)\b/i, params: ['description'] },
  { words: /\b(?:title|name|rename|call)\b/i, params: ['title', 'heading'] },
];

/** Words a style wish may use besides the colour and theme words themselves. */
const STYLE_FILLER = new Set([
  'make', 'it', 'its', 'the', 'a', 'an', 'use', 'using', 'set', 'change', 'switch', 'turn', 'to', 'into', 'with', 'please',
  'colour', 'colours', 'color', 'colors', 'theme', 'mode', 'scheme', 'accent', 'accents', 'buttons', 'button', 'page',
  'background', 'look', 'style', 'in', 'be', 'instead', 'of', 'and', 'give', 'go', 'main', 'primary', 'palette', 'app',
]);

/** A quoted value, set aside as `\0<n>\0`. */
const QUOTED = /\u0000(\d+)\u0000/;
/** Else the words after "to"/"as"/"is"/":" up to the end of the clause. */
const AFTER = /(?:\b(?:to|as|is)\b|:)\s*(.{1,60})$/i;

const MAX_REQUEST = 500;

/**
 * The template parameters a change request sets, when every part of it is something the template
 * understands: a title, heading or description given in words ("set the title to \"Deep Focus\""),
 * a theme ("make it dark") and an accent colour ("teal accents", "#ff8800"). A part it cannot place
 * is refused, naming it, rather than silently ignored: only a model can make that change.
 * @example templateChange('make it dark with teal accents', manifest, params) // { theme: 'dark', accentColor: '#2dd4bf', … }
 */
export function templateChange(request: string, manifest: Pick<TemplateManifest, 'id' | 'parameters'>, current: Readonly<Record<string, string>>): Record<string, string> {
  if (request.length > MAX_REQUEST) throw needsModel(`a request of ${request.length} characters`);
  const quoted: string[] = [];
  // Quoted values are set aside, so that "and" or a comma inside a title does not split it.
  const masked = request.replace(/["“]([^"”]*)["”]/g, (_, text: string) => `\u0000${quoted.push(text) - 1}\u0000`);
  const clauses = masked.split(/\s*(?:[,;]|\.(?:\s|$)|\band\b|\bthen\b|\balso\b)\s*/i).map((c) => c.trim()).filter((c) => c.length > 0);
  const unmask = (text: string) => text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => quoted[Number(i)]!);
  const changes: Record<string, string> = {};
  let theme: Theme | undefined;
  let accent: string | undefined;
  for (const clause of clauses) {
    const text = textChange(clause, quoted, manifest);
    if (text) {
      Object.assign(changes, text);
      continue;
    }
    const mode = modeChange(clause, manifest, current);
    if (mode) {
      Object.assign(changes, mode);
      continue;
    }
    const style = styleChange(clause);
    if (!style) throw needsModel(`"${unmask(clause)}"`);
    theme = style.theme ?? theme;
    accent = style.accent ?? accent;
  }
  if (theme || accent) {
    if (!Object.hasOwn(manifest.parameters, 'accentColor')) throw needsModel(`colours (the ${manifest.id} template has none to set)`);
    Object.assign(changes, colourSet(theme ?? (current['theme'] === 'dark' ? 'dark' : 'light'), accent ?? current['accentColor'] ?? 'blue'));
  }
  if (Object.keys(changes).length === 0) throw needsModel('this request');
  return changes;
}

function textChange(clause: string, quoted: readonly string[], manifest: Pick<TemplateManifest, 'parameters'>): Record<string, string> | undefined {
  const target = TEXT_TARGETS.find((t) => t.words.test(clause.replace(/\u0000\d+\u0000/g, '')));
  if (!target) return undefined;
  const index = QUOTED.exec(clause)?.[1];
  const value = (index !== undefined ? quoted[Number(index)] : AFTER.exec(clause)?.[1])?.trim();
  if (!value) return undefined;
  const params = target.params.filter((p) => Object.hasOwn(manifest.parameters, p));
  return params.length > 0 ? Object.fromEntries(params.map((p) => [p, value])) : undefined;
}

/** "make it a stopwatch", "turn it into a countdown to 12 June 2027", "switch to a clock". */
const MODE_CHANGE = /^(?:make|turn|switch|change|use)\b.*\b(?:pomodoro|count ?-?down|stop ?-?watch|clock)\b/i;

/**
 * A timer's new mode (and a countdown's date), for a template with a `mode` parameter. A title that
 * was the old mode's own ("Stopwatch") becomes the new one's ("Countdown"); a title someone chose stays.
 */
function modeChange(clause: string, manifest: Pick<TemplateManifest, 'parameters'>, current: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const param = manifest.parameters['mode'];
  if (!param || !MODE_CHANGE.test(clause)) return undefined;
  const mode = timerMode(clause);
  if (!mode || !(param.choices ?? []).includes(mode)) return undefined;
  const changes: Record<string, string> = { mode };
  const date = mode === 'countdown' ? findDate(clause) : undefined;
  if (date && Object.hasOwn(manifest.parameters, 'countdownTo')) changes['countdownTo'] = date;
  const old = MODE_TITLES[current['mode'] as TimerMode];
  for (const name of ['title', 'heading']) if (old && current[name] === old && Object.hasOwn(manifest.parameters, name)) changes[name] = MODE_TITLES[mode];
  return changes;
}

/** A theme and/or accent when the clause says nothing else; undefined when it does. */
function styleChange(clause: string): { theme?: Theme; accent?: string } | undefined {
  const style: { theme?: Theme; accent?: string } = {};
  for (const word of clause.toLowerCase().split(/\s+/).filter((w) => w.length > 0)) {
    const hex = /^#([0-9a-f]{6}|[0-9a-f]{3})$/.exec(word)?.[1];
    if (hex) style.accent = `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
    else if (THEME_WORDS[word]) style.theme = THEME_WORDS[word];
    else if (ACCENTS[word] || ACCENT_ALIASES[word]) style.accent = ACCENT_ALIASES[word] ?? word;
    else if (!STYLE_FILLER.has(word)) return undefined;
  }
  return style.theme || style.accent ? style : undefined;
}

function needsModel(what: string): InputError {
  return new InputError(`the offline templates cannot make ${what} happen: they change an app's title, heading, description, theme and colours (and a timer's mode) only, so this change needs a model`, {
    hint: NEEDS_MODEL_HINT,
  });
}
