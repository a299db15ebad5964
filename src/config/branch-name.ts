/**
 * Why `name` cannot be a git branch, or undefined when it can: the rules of `git check-ref-format
 * --branch`, checked here so that a bad branch in slipway.yaml is refused before anything runs
 * instead of failing later inside git.
 * @example branchNameProblem('main..x') // "it contains '..'"
 */
export function branchNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > 255) return 'it is longer than 255 characters';
  if (/[\u0000-\u0020\u007f]/.test(name)) return 'it contains a space or a control character';
  const forbidden = /[~^:?*[\\]/.exec(name);
  if (forbidden) return `it contains '${forbidden[0]}'`;
  if (name.includes('..')) return "it contains '..'";
  if (name.includes('@{')) return "it contains '@{'";
  if (name === '@') return "it is '@', which git reads as HEAD";
  if (name === 'HEAD') return 'HEAD is not a branch';
  if (name.startsWith('-')) return "it starts with '-'";
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return "it has an empty part between '/'";
  if (name.endsWith('.')) return "it ends with '.'";
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `its part '${part}' starts with '.'`;
    if (part.endsWith('.lock')) return `its part '${part}' ends with '.lock'`;
  }
  return undefined;
}
