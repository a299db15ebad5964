/**
 * What a model hands back is untrusted input. Before any of it is written, committed or built, every
 * file passes these checks; all refusals are collected so one error lists every reason at once.
 */
import { InputError, Runtime, safePathProblem, type GeneratedFile } from '../../../domain/index.ts';
import { dockerfileProblems, isDockerfile } from './dockerfile-rules.ts';
import { packageJsonProblems, runtimeDependencyCount, startCommand, type PackageJson } from './package-rules.ts';
import { findSecrets } from './secret-scan.ts';

export interface GuardrailLimits {
  maxFiles: number;
  maxTotalBytes: number;
}

export const DEFAULT_LIMITS: GuardrailLimits = { maxFiles: 40, maxTotalBytes: 512 * 1024 };

/** Dotfiles that configure tools and hold no secrets; every other hidden file or folder is refused. */
export const ALLOWED_DOTFILES: readonly string[] = ['.dockerignore', '.editorconfig', '.gitignore', '.node-version', '.nvmrc'];

/** One refused thing: the file (or `(app)` for the whole set) and why. */
export interface Refusal {
  path: string;
  reason: string;
}

export interface CheckedFiles {
  files: GeneratedFile[];
  /** How the app starts, when that could be worked out. */
  command?: string[] | undefined;
  refusals: Refusal[];
}

/** Entry fields that would make a file something other than a regular file with text content. */
const LINK_FIELDS = ['target', 'linkTarget', 'link', 'symlink', 'linkname'];

/**
 * Checks what a model returned as files (`[{ path, content }]`, anything else refused) for the given
 * runtime. Never throws; see {@link assertGuardrails}.
 * @example checkFiles([{ path: '../x', content: '' }], { runtime: 'node' }).refusals[0] // { path: '../x', reason: "it climbs out …" }
 */
export function checkFiles(entries: readonly unknown[], options: { runtime: string; limits?: GuardrailLimits }): CheckedFiles {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const refusals: Refusal[] = [];
  const refuse = (path: string, reason: string) => refusals.push({ path, reason });
  if (!Runtime.safeParse(options.runtime).success) refuse('(app)', `runtime '${options.runtime}' is not supported; use node or static`);

  const files: GeneratedFile[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const label = `files[${index}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return refuse(label, 'it is not an object with path and content');
    const { path, content, type, mode, encoding } = entry as Record<string, unknown>;
    if (typeof path !== 'string') return refuse(label, 'it has no path');
    const problem = pathProblem(path);
    if (problem) return refuse(path, problem);
    const normal = path.replace(/^\.\//, '');
    if (type !== undefined && type !== 'file') return refuse(path, `it asks to be a ${String(type)}; only regular files with text content are written`);
    if (isLinkMode(mode) || LINK_FIELDS.some((f) => Object.hasOwn(entry, f))) return refuse(path, 'it asks to be a symbolic link; only regular files are written');
    if (encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') return refuse(path, `its content is ${String(encoding)}-encoded; only text files are accepted`);
    if (typeof content !== 'string') return refuse(path, 'its content is not text');
    if (content.includes('\u0000')) return refuse(path, 'its content is binary; only text files are accepted');
    if (seen.has(normal)) return refuse(path, 'it appears twice');
    seen.add(normal);
    files.push({ path: normal, content });
  });

  if (entries.length > limits.maxFiles) refuse('(app)', `${entries.length} files were produced; at most ${limits.maxFiles} are allowed`);
  const total = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  if (total > limits.maxTotalBytes) refuse('(app)', `the files hold ${total} bytes; at most ${limits.maxTotalBytes} are allowed`);

  let rootPackage: PackageJson | undefined;
  for (const file of files) {
    for (const finding of findSecrets(file.content)) {
      refuse(file.path, `line ${finding.line} holds ${finding.kind}; read secrets from the environment instead`);
    }
    const base = file.path.split('/').at(-1);
    if (base === 'package.json') {
      const { value, problems } = packageJsonProblems(file.content);
      for (const problem of problems) refuse(file.path, problem);
      if (file.path === 'package.json') rootPackage = value;
    }
    if (isDockerfile(file.path)) for (const problem of dockerfileProblems(file.content)) refuse(file.path, problem);
  }

  const command = resolveCommand(files, rootPackage, refuse);
  if (options.runtime === 'static' && rootPackage && runtimeDependencyCount(rootPackage) > 0) {
    refuse('package.json', 'a static app must not need npm dependencies; serve it with Node built-ins, or plan it as a node app');
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, command, refusals };
}

/**
 * Like {@link checkFiles}, but throws one InputError listing every refusal.
 * @example const { files, command } = assertGuardrails(entries, { runtime: 'node' });
 */
export function assertGuardrails(entries: readonly unknown[], options: { runtime: string; limits?: GuardrailLimits }): { files: GeneratedFile[]; command: string[] } {
  const checked = checkFiles(entries, options);
  if (checked.refusals.length > 0 || !checked.command) {
    throw new InputError(`refused the generated app:\n${formatRefusals(checked.refusals)}`, {
      hint: 'Generate again (the model may do better), describe the app differently, or use a template (--generator template).',
    });
  }
  return { files: checked.files, command: checked.command };
}

/** One line per refusal: `- path: reason`. */
export function formatRefusals(refusals: readonly Refusal[]): string {
  return refusals.map((r) => `- ${r.path}: ${r.reason}`).join('\n');
}

/** Why a path may not be written, beyond the domain's rules: hidden files and vendored modules. */
export function pathProblem(path: string): string | undefined {
  const basic = safePathProblem(path);
  if (basic) return basic;
  const segments = path.replace(/^\.\//, '').split('/');
  const last = segments.length - 1;
  for (const [i, segment] of segments.entries()) {
    if (segment === 'node_modules') return 'it writes into node_modules; dependencies are installed from package.json, not generated';
    if (!segment.startsWith('.')) continue;
    if (i === last && ALLOWED_DOTFILES.includes(segment)) continue;
    if (/^\.env(\..*)?$/i.test(segment)) return 'a .env file holds secrets; configuration comes from the environment Slipway sets';
    if (segment === '.npmrc') return '.npmrc can point npm at another registry or hold tokens; it is not allowed';
    return `hidden files and folders are not allowed (only ${ALLOWED_DOTFILES.join(', ')})`;
  }
  return undefined;
}

/** 0o120000 is the file-type bits of a symbolic link (as git and tar write it). */
function isLinkMode(mode: unknown): boolean {
  if (mode === undefined || mode === null) return false;
  if (typeof mode === 'number') return (mode & 0o170000) === 0o120000;
  const text = String(mode).trim().toLowerCase();
  return text === 'symlink' || text === 'link' || text === 'l' || /^0?120\d{3}$/.test(text) || text.startsWith('l');
}

function resolveCommand(files: readonly GeneratedFile[], pkg: PackageJson | undefined, refuse: (path: string, reason: string) => void): string[] | undefined {
  const paths = new Set(files.map((f) => f.path));
  const { command, problem } = startCommand(pkg);
  if (problem) {
    refuse('package.json', problem);
    return undefined;
  }
  if (command) {
    const file = command.at(-1)!;
    if (!paths.has(file)) {
      refuse('package.json', `scripts.start runs ${file}, which is not among the files`);
      return undefined;
    }
    return command;
  }
  if (paths.has('server.js')) return ['node', 'server.js'];
  refuse('(app)', 'there is no way to start it: add server.js, or package.json with scripts.start "node <file>.js"');
  return undefined;
}
