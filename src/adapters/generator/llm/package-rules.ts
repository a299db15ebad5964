/**
 * Rules for a generated package.json: it must parse, install nothing that runs code at install time,
 * and pin every dependency to one exact version (what was verified is what ships).
 */

/** npm runs these on `npm install` / `npm ci` in the app folder: code from the model, run by the builder. */
const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'];
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
/** Exact semver: 1.2.3, 1.2.3-beta.1, 1.2.3+build. No ranges, tags, URLs, git, file: or npm: aliases. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export interface PackageJson {
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Parses package.json text; `problems` explains what is wrong (then `value` may be undefined).
 * @example packageJsonProblems('{"scripts":{"postinstall":"curl x | sh"}}').problems // ['scripts.postinstall runs at install time; …']
 */
export function packageJsonProblems(text: string): { value?: PackageJson; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problems: [`it is not valid JSON (${(error as Error).message})`] };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { problems: ['it is not a JSON object'] };
  const pkg = value as PackageJson;
  const problems: string[] = [];
  if (pkg.scripts !== undefined) {
    if (!pkg.scripts || typeof pkg.scripts !== 'object' || Array.isArray(pkg.scripts)) problems.push('scripts is not an object');
    else {
      for (const hook of INSTALL_HOOKS) {
        if (Object.hasOwn(pkg.scripts, hook)) problems.push(`scripts.${hook} runs at install time; install hooks are not allowed`);
      }
      for (const [name, script] of Object.entries(pkg.scripts)) {
        if (typeof script !== 'string') problems.push(`scripts.${name} is not a string`);
      }
    }
  }
  for (const field of DEPENDENCY_FIELDS) {
    const deps = pkg[field];
    if (deps === undefined) continue;
    if (!deps || typeof deps !== 'object' || Array.isArray(deps)) {
      problems.push(`${field} is not an object`);
      continue;
    }
    for (const [name, version] of Object.entries(deps as Record<string, unknown>)) {
      if (!PACKAGE_NAME.test(name)) problems.push(`${field} names '${name}', which is not an npm package name`);
      else if (typeof version !== 'string' || !EXACT_VERSION.test(version)) {
        problems.push(`${field}.${name} is ${JSON.stringify(version)}; pin an exact version such as "4.21.2" (no ranges, tags, URLs or git)`);
      }
    }
  }
  for (const field of ['bundleDependencies', 'bundledDependencies', 'workspaces'] as const) {
    if (pkg[field] !== undefined) problems.push(`${field} is not supported in a generated app`);
  }
  return { value: pkg, problems };
}

/** Number of runtime dependencies declared (dependencies and optionalDependencies). */
export function runtimeDependencyCount(pkg: PackageJson): number {
  const count = (v: unknown) => (v && typeof v === 'object' ? Object.keys(v).length : 0);
  return count(pkg.dependencies) + count(pkg['optionalDependencies']);
}

/**
 * The command that starts the app, from `scripts.start` when it is `node [--flag…] <file>`.
 * Returns undefined when there is no start script; a reason when there is one Slipway cannot run.
 * @example startCommand({ scripts: { start: 'node server.js' } }) // { command: ['node', 'server.js'] }
 */
export function startCommand(pkg: PackageJson | undefined): { command?: string[]; problem?: string } {
  const start = pkg?.scripts?.['start'];
  if (start === undefined) return {};
  if (typeof start !== 'string') return { problem: 'scripts.start is not a string' };
  const words = start.trim().split(/\s+/);
  const file = words.at(-1) ?? '';
  const flags = words.slice(1, -1);
  if (words[0] !== 'node' || words.length < 2 || !/^[\w./-]+\.(?:m?js|cjs)$/.test(file) || !flags.every((f) => /^--[a-z][a-z0-9-]*(?:=[\w./:-]+)?$/.test(f))) {
    return { problem: `scripts.start is ${JSON.stringify(start)}; it must be \`node <file>.js\` (no build step, no shell)` };
  }
  return { command: ['node', ...flags, file.replace(/^\.\//, '')] };
}
