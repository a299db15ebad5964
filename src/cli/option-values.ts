import { InputError } from '../domain/errors.ts';

/** The largest count an option takes: more than anyone lists, small enough to stay exact. */
const MAX_COUNT = 1_000_000;

/**
 * A numeric option's value as a whole number from 1 up: `abc`, `1.5`, `0` or `10x` are refused
 * rather than silently replaced by a default.
 * @example positiveInteger('--limit', '20') // 20
 */
export function positiveInteger(flag: string, text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || Number(text) > MAX_COUNT) {
    throw new InputError(`${flag} must be a whole number from 1 to ${MAX_COUNT}, not ${JSON.stringify(text)}`, { hint: `e.g. ${flag} 20` });
  }
  return Number(text);
}
