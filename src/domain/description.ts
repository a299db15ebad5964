import { InputError } from './errors.ts';

export const MAX_DESCRIPTION_LENGTH = 2000;

/** Checks and normalises a request's description (collapses white space). */
export function assertDescription(description: string | undefined): string {
  const text = (description ?? '').replace(/\s+/g, ' ').trim();
  if (!text) {
    throw new InputError('the description is empty; describe the app in words, e.g. "a pomodoro timer with a dark theme"');
  }
  if (text.length > MAX_DESCRIPTION_LENGTH) {
    throw new InputError(`the description has ${text.length} characters; at most ${MAX_DESCRIPTION_LENGTH} are allowed`);
  }
  // Control characters have no place in a description and would end up in commit messages.
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) {
    throw new InputError('the description contains control characters; use plain text');
  }
  return text;
}
