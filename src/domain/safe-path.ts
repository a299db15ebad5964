import { InputError } from './errors.ts';

/**
 * Checks a generated or user-given relative path before it touches a disk or a repo: POSIX, relative,
 * no `..`, no `.git`, no NUL or control characters, no empty segments. Returns the normalised path.
 * @example assertSafeRelativePath('public/index.html') // 'public/index.html'
 */
export function assertSafeRelativePath(path: string): string {
  const problem = safePathProblem(path);
  if (problem) throw new InputError(`refused path ${JSON.stringify(path)}: ${problem}`);
  return path.replace(/^\.\//, '');
}

export function safePathProblem(path: string): string | undefined {
  if (path.length === 0) return 'it is empty';
  if (path.length > 512) return 'it is longer than 512 characters';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'it contains control characters';
  if (path.includes('\\')) return 'it contains a backslash; use / between directories';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'it is absolute; paths must be relative to the app directory';
  const segments = path.replace(/^\.\//, '').split('/');
  if (segments.some((s) => s === '..')) return "it climbs out of the app directory with '..'";
  if (segments.some((s) => s === '' || s === '.')) return 'it has an empty or "." segment';
  if (segments.some((s) => s.toLowerCase() === '.git')) return 'it writes inside .git';
  return undefined;
}
