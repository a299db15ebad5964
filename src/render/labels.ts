import { InputError } from '../domain/errors.ts';
import type { Labels } from './types.ts';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const MANAGED_BY = 'slipway';
export const PART_OF = 'slipway-apps';
/** Annotation carrying the request the app was made from, for `kubectl describe`. */
export const DESCRIPTION_ANNOTATION = 'slipway.dev/description';

const RESERVED_KEYS = new Set([LABEL_NAME, LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_PART_OF]);
const LABEL_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * The labels a selector matches on. Kept to two because a Deployment's selector can never change.
 * @example selectorLabels('pomodoro-timer') // { 'app.kubernetes.io/name': 'pomodoro-timer', 'app.kubernetes.io/instance': 'pomodoro-timer' }
 */
export function selectorLabels(app: string): Labels {
  return { [LABEL_NAME]: app, [LABEL_INSTANCE]: app };
}

/**
 * Every label an app's objects carry: Slipway's four, then the caller's extra labels sorted by key
 * (so the order the caller built them in never changes the output).
 * @example appLabels('notes', { team: 'home' })['team'] // 'home'
 */
export function appLabels(app: string, extra: Labels = {}): Labels {
  const labels: Labels = { ...selectorLabels(app), [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_PART_OF]: PART_OF };
  for (const key of Object.keys(extra).sort()) {
    const value = extra[key] ?? '';
    const problem = labelProblem(key, value);
    if (problem) throw new InputError(problem, { hint: 'Fix or remove the extra label.' });
    labels[key] = value;
  }
  return labels;
}

function labelProblem(key: string, value: string): string | undefined {
  if (RESERVED_KEYS.has(key)) return `the label '${key}' is set by Slipway and cannot be given`;
  return qualifiedNameProblem(key, 'label key') ?? labelValueProblem(key, value);
}

/**
 * Why `key` is not a valid label or annotation key (`[prefix/]name`, as the API server checks it),
 * or undefined when it is.
 * @example qualifiedNameProblem('example.com/team', 'label key') // undefined
 */
export function qualifiedNameProblem(key: string, what: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `the ${what} '${key}' has an invalid prefix; use a DNS name such as example.com/`;
  }
  if (name.length > 63 || !LABEL_NAME_PART.test(name)) {
    return `the ${what} '${key}' is invalid; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * Why `value` is not a valid value for the label `key`, or undefined when it is.
 * @example labelValueProblem('team', 'home') // undefined
 */
export function labelValueProblem(key: string, value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `the value of label '${key}' is invalid; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * The description as an annotation value that survives Flux. Flux's postBuild substitution runs
 * envsubst over each object's YAML text: `${…}` would be replaced (or fail the whole apply when
 * malformed), `$$` becomes `$`, and `\\` becomes `\`. So every `$` and `\` is doubled, which Flux
 * turns back into the original text. White space is collapsed to single spaces and control
 * characters dropped so that every YAML emitter keeps the value in a plain or quoted single line,
 * where that doubling is exact. For an engine that substitutes nothing (Argo CD: `substitutes` false)
 * the text is kept as it is.
 * Returns undefined for an empty description.
 * @example descriptionAnnotation('costs $5 ${NOT_A_VAR}') // 'costs $$5 $${NOT_A_VAR}'
 */
export function descriptionAnnotation(description: string, substitutes = true): string | undefined {
  const text = description
    .toWellFormed()
    .replace(/\s+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/g, '')
    .trim();
  if (!text) return undefined;
  // An engine that applies the text as it is needs nothing escaped.
  return substitutes ? text.replace(/[$\\]/g, (c) => c + c) : text;
}
