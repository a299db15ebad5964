import { InputError } from '../../domain/index.ts';
import type { CommitInfo, CommitRequest } from '../../ports/index.ts';

const TRAILER_KEY = /^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/;

/** Separators in `git log --format` output that cannot occur in subjects, names or trailers. */
export const FIELD = '\u001f';
export const RECORD = '\u001e';

/** `git log --format` producing what {@link parseLogOutput} reads (trailers parsed by git itself). */
export const LOG_FORMAT = ['%H', '%s', '%an', '%aI', '%(trailers:only,unfold)'].join('%x1f') + '%x1e';

/**
 * Checks a commit request: a subject, trailer names git accepts, single-line values, and idempotency
 * trailers that the request actually carries.
 * @example validateCommitRequest({ message: 'Deploy x', trailers: { 'Slipway-App': 'x' }, apply })
 */
export function validateCommitRequest(request: CommitRequest): void {
  if (request.message.trim() === '') throw new InputError('a commit needs a message');
  for (const [key, value] of Object.entries(request.trailers)) {
    if (!TRAILER_KEY.test(key)) throw new InputError(`invalid commit trailer name ${JSON.stringify(key)}: use letters, digits and '-'`);
    if (/[\u0000-\u001f\u007f]/.test(value)) throw new InputError(`invalid value for commit trailer ${key}: it must be a single line`);
  }
  for (const key of request.idempotencyTrailers ?? []) {
    if (!request.trailers[key]?.trim()) throw new InputError(`idempotency trailer ${key} is not among the commit's trailers (or is empty)`);
  }
}

/**
 * The full commit message: the caller's text, a blank line, then one `Key: value` line per trailer
 * in the order given — git reads the last paragraph as the trailer block. Empty values are left out.
 * @example commitMessage('Deploy x', { 'Slipway-App': 'x' }) // 'Deploy x\n\nSlipway-App: x\n'
 */
export function commitMessage(message: string, trailers: Record<string, string>): string {
  const text = message.replace(/\r\n/g, '\n').replace(/\s+$/, '');
  const lines = Object.entries(trailers)
    .map(([k, v]) => [k, v.trim()] as const)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}`);
  return lines.length === 0 ? `${text}\n` : `${text}\n\n${lines.join('\n')}\n`;
}

/** Parses `%(trailers:only,unfold)` output into name/value pairs, in order. */
export function parseTrailerLines(block: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    pairs.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return pairs;
}

/** True when the trailers carry every wanted name (case-insensitive, as git compares them) with that exact value. */
export function hasAllTrailers(pairs: Array<[string, string]>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([key, value]) => pairs.some(([k, v]) => k.toLowerCase() === key.toLowerCase() && v === value));
}

/** Reads `git log --format=LOG_FORMAT` output; when a trailer repeats, the last value wins in the map. */
export function parseLogOutput(output: string): Array<CommitInfo & { trailerPairs: Array<[string, string]> }> {
  return output
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.trim() !== '')
    .map((record) => {
      const [sha = '', subject = '', author = '', date = '', block = ''] = record.split(FIELD);
      const trailerPairs = parseTrailerLines(block);
      return { sha, subject, author, date, trailers: Object.fromEntries(trailerPairs), trailerPairs };
    });
}
