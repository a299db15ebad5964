import { InputError } from './errors.ts';

/** Longest app name: leaves room in 63-character DNS labels for suffixes such as `-<hash>`. */
export const MAX_APP_NAME_LENGTH = 40;

// RFC 1035 labels: Kubernetes Service names (one per app) must start with a letter.
const LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Names that belong to the cluster or to Slipway itself. */
const RESERVED_EXACT = new Set([
  'slipway', 'flux-system', 'kube-system', 'kube-public', 'kube-node-lease', 'default',
  'argocd', 'registry', 'gateway', 'cert-manager', 'monitoring', 'kubernetes',
]);
const RESERVED_PREFIXES = ['kube-', 'flux-', 'slipway-', 'system-'];

export const APP_NAME_RULE =
  `an app name is a DNS-1123 label that can name a Kubernetes Service: 1-${MAX_APP_NAME_LENGTH} characters, ` +
  `lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`;

/** Why `name` is not a valid app name, or undefined when it is. */
export function appNameProblem(name: string): string | undefined {
  if (name.length === 0) return `the app name is empty; ${APP_NAME_RULE}`;
  if (name.length > MAX_APP_NAME_LENGTH) return `'${name}' has ${name.length} characters; ${APP_NAME_RULE}`;
  if (/^[0-9]/.test(name)) return `'${name}' starts with a digit; ${APP_NAME_RULE}`;
  if (!LABEL.test(name)) return `'${name}' is not allowed; ${APP_NAME_RULE}`;
  if (RESERVED_EXACT.has(name)) return `'${name}' is reserved for the cluster or Slipway; choose another name`;
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `'${name}' starts with the reserved prefix '${prefix}'; choose another name`;
  return undefined;
}

/**
 * Checks a name given by a person.
 * @example assertAppName('pomodoro-timer') // 'pomodoro-timer'
 */
export function assertAppName(name: string): string {
  const problem = appNameProblem(name);
  if (problem) throw new InputError(problem, { hint: 'Pass --name with a valid name, e.g. --name my-app.' });
  return name;
}

const FILLER = new Set(['a', 'an', 'the', 'with', 'and', 'for', 'of', 'to', 'that', 'my', 'me', 'in', 'on', 'simple', 'please', 'make', 'create', 'build', 'app', 'webapp', 'which', 'some', 'using', 'small', 'tiny', 'i', 'want', 'need']);

/**
 * Derives a DNS-1123 label from a free-text description, unique among `taken`.
 * @example deriveAppName('A pomodoro timer with a dark theme', new Set()) // 'pomodoro-timer-dark-theme'
 */
export function deriveAppName(description: string, taken: ReadonlySet<string>): string {
  const words = description
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  const meaningful = words.filter((w) => !FILLER.has(w));
  const chosen = meaningful.length > 0 ? meaningful : words;
  let base = '';
  for (const word of chosen) {
    const next = base ? `${base}-${word}` : word;
    if (next.length > MAX_APP_NAME_LENGTH - 3) break;
    base = next;
  }
  if (!base) base = (chosen[0] ?? 'app').slice(0, MAX_APP_NAME_LENGTH - 3);
  base = base.replace(/^-+|-+$/g, '');
  if (!base || !/^[a-z]/.test(base)) base = `app-${base}`.replace(/-+$/, '').slice(0, MAX_APP_NAME_LENGTH - 3);
  if (appNameProblem(base)) base = `app-${base}`.slice(0, MAX_APP_NAME_LENGTH - 3).replace(/-+$/, '');
  if (!taken.has(base)) return assertAppName(base);
  for (let i = 2; ; i++) {
    const candidate = `${base}-${i}`;
    // Checked like a given name, so a derived name can never fail later at render.
    if (!taken.has(candidate)) return assertAppName(candidate);
  }
}
