import { InputError } from '../../domain/index.ts';
import type { AppPlan } from '../../ports/index.ts';

type PlanCandidate = AppPlan['template']['candidates'][number];
import type { TemplateKeyword } from './template-manifest.ts';

/** The template chosen when no keyword matches: a page can present almost anything. */
export const FALLBACK_TEMPLATE = 'static-site';

/** What the scorer needs to know about a template. */
export interface ScorableTemplate {
  id: string;
  keywords: readonly TemplateKeyword[];
}

/** The scorer's verdict. */
export interface TemplateChoice {
  template: string;
  /** Sum of the weights of the keywords that matched; `null` when the template was named outright. */
  score: number | null;
  /** Terms (keywords or synonyms, as the template spells them) found in the description. */
  matched: string[];
  /** Every template, best first; ties in a fixed order (id, the fallback last). */
  candidates: PlanCandidate[];
  /** One sentence for people: why this template. */
  explanation: string;
}

/**
 * Reduces a word to a crude singular so "notes" meets "note" and "rsvps" meets "rsvp". Applied to
 * both sides of a comparison, so it only has to be consistent, not linguistically right.
 * @example stem('notes') // 'note'
 */
export function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0)
    .map(stem);
}

/** Hyphenated words are joined ("to-do" → "todo", "sign-up" → "signup"). */
const joinHyphens = (text: string) => text.replace(/([\p{L}\p{N}])-(?=[\p{L}\p{N}])/gu, '$1');

/**
 * A description as two word sequences: hyphens as breaks ("landing-page" holds "landing") and
 * hyphens joined ("to-do" holds "todo"). A term matches when it is found in either.
 */
export function tokenize(description: string): { split: string[]; joined: string[] } {
  return { split: words(description), joined: words(joinHyphens(description)) };
}

function containsSequence(haystack: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Scores one template: each keyword counts its weight once, whether the word or a synonym matched.
 * @example scoreTemplate(tokenize('a todo list'), keywords) // { score: 4, matched: ['todo', 'list'] }
 */
export function scoreTemplate(tokens: { split: string[]; joined: string[] }, keywords: readonly TemplateKeyword[]): { score: number; matched: string[] } {
  let score = 0;
  const matched: string[] = [];
  const seen = new Set<string>();
  for (const keyword of keywords) {
    let found = false;
    for (const term of [keyword.word, ...keyword.synonyms]) {
      // Terms are compared whole-word: "form" must not match "format" or "platform".
      const needle = words(joinHyphens(term));
      if (!containsSequence(tokens.split, needle) && !containsSequence(tokens.joined, needle)) continue;
      found = true;
      // "todo" and "to-do" are one find; report it once, as the template spells it first.
      const key = needle.join(' ');
      if (!seen.has(key)) matched.push(term);
      seen.add(key);
    }
    if (found) score += keyword.weight;
  }
  return { score, matched };
}

/**
 * Chooses the template for a description: the one whose keywords weigh most, or the one named by
 * `override` (then `score` is null). Nothing matching falls back to {@link FALLBACK_TEMPLATE}.
 * @example chooseTemplate('a pomodoro timer with a dark theme', templates).template // 'timer'
 * @example chooseTemplate('anything', templates, { override: 'form' }) // { template: 'form', score: null, … }
 */
export function chooseTemplate(
  description: string,
  templates: readonly ScorableTemplate[],
  options: { override?: string | undefined; fallback?: string } = {},
): TemplateChoice {
  if (templates.length === 0) throw new Error('there are no templates to choose from');
  const fallback = options.fallback ?? FALLBACK_TEMPLATE;
  const known = templates.map((t) => t.id).sort();
  const tokens = tokenize(description);
  const scored = templates.map((t) => ({ template: t.id, ...scoreTemplate(tokens, t.keywords) }));
  const rank = (id: string) => (id === fallback ? 1 : 0);
  scored.sort((a, b) => b.score - a.score || rank(a.template) - rank(b.template) || (a.template < b.template ? -1 : a.template > b.template ? 1 : 0));
  const candidates = scored.map(({ template, score }) => ({ template, score }));

  if (options.override !== undefined) {
    const chosen = scored.find((s) => s.template === options.override);
    if (!chosen) {
      throw new InputError(`unknown template '${options.override}'; known templates: ${known.join(', ')}`, {
        hint: `Pass --template with one of: ${known.join(', ')}.`,
      });
    }
    return { template: chosen.template, score: null, matched: chosen.matched, candidates, explanation: `chosen with --template ${chosen.template}` };
  }

  const best = scored[0]!;
  if (best.score > 0) {
    return { template: best.template, score: best.score, matched: best.matched, candidates, explanation: `matched ${best.matched.join(', ')} (score ${best.score})` };
  }
  const chosen = scored.find((s) => s.template === fallback) ?? best;
  return { template: chosen.template, score: 0, matched: [], candidates, explanation: `no keyword matched; fell back to ${chosen.template}` };
}
