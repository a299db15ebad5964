/**
 * CRD patterns are Go (RE2) regular expressions, as the API server checks them; Ajv compiles them
 * as JavaScript ones. The one RE2 form JavaScript lacks that the shipped CRDs use is a leading flag
 * group, `^(?i)(abort|warn)?$` (the PrometheusRule's partial_response_strategy): JavaScript scopes
 * flags to a group, so it becomes `^(?i:(abort|warn)?)$`, which matches the same strings.
 */

/** A pattern whose flags come first: `^`, `(?flags)`, the rest, an optional `$`. */
const LEADING_FLAGS = /^(\^?)\(\?([ims]+)\)(.*?)(\$?)$/s;

/**
 * The pattern as JavaScript reads it the way RE2 does.
 * @example jsPattern('^(?i)(abort|warn)?$') // '^(?i:(abort|warn)?)$'
 */
export function jsPattern(pattern: string): string {
  const match = LEADING_FLAGS.exec(pattern);
  if (!match) return pattern;
  const [, start, flags, rest, end] = match;
  return `${start}(?${flags}:${rest})${end}`;
}

/** Rewrites every `pattern` of a schema in place (see `jsPattern`). */
export function jsPatterns(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) jsPatterns(item);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Record<string, unknown>;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && typeof value === 'string') node[key] = jsPattern(value);
    else jsPatterns(value);
  }
}
