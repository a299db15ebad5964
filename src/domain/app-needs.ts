import { z } from 'zod';
import { EnvName } from './app-config.ts';
import type { AppNeeds } from './app-spec.ts';

/** The most settings, secrets and externals a plan may name; past these a plan is more wish list than app. */
export const NEEDS_LIMITS = { settings: 20, secrets: 10, externals: 10 } as const;

/** An external service's name: how the app reaches it (`nas`), a DNS label like an app name. */
export const ExternalName = z.string().regex(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a lowercase DNS label such as nas or print-server');

const Setting = z.object({ name: EnvName, description: z.string().max(300), default: z.string().max(200).optional() });
const Secret = z.object({ name: EnvName, description: z.string().max(300) });

/** What an app needs, once checked, and what was dropped or cut on the way, in words. */
export interface CheckedNeeds {
  needs: AppNeeds;
  warnings: string[];
}

/**
 * What a planner or a template says an app needs, kept to what Slipway can wire: names that are
 * environment variable names Slipway does not set itself, no name twice (a secret wins over a
 * setting of the same name), at most {@link NEEDS_LIMITS} of each, `database` only `postgres`.
 * Whatever does not fit is dropped with a warning rather than failing the run: the app still works
 * with the rest, and the warning says what was left out and why.
 * @example checkNeeds({ secrets: [{ name: 'PORT', description: 'x' }] }).warnings // ["dropped secret PORT: Slipway sets …"]
 */
export function checkNeeds(raw: unknown): CheckedNeeds {
  const warnings: string[] = [];
  const source = isRecord(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isRecord(raw)) warnings.push('dropped the needs: they were not an object');
  const secrets = entries('secret', source.secrets, Secret, NEEDS_LIMITS.secrets, warnings);
  const settings = entries('setting', source.settings, Setting, NEEDS_LIMITS.settings, warnings, new Set(secrets.map((s) => s.name)));
  const externals = entries('external', source.externals, ExternalName, NEEDS_LIMITS.externals, warnings);
  const needs: AppNeeds = {};
  if (settings.length > 0) needs.settings = settings.map((s) => (s.default === undefined ? { name: s.name, description: s.description } : s));
  if (secrets.length > 0) needs.secrets = secrets;
  const database = databaseOf(source.database, warnings);
  if (database) needs.database = database;
  if (externals.length > 0) needs.externals = externals;
  return { needs, warnings };
}

/** Whether an app needs nothing besides its code. */
export function needsNothing(needs: AppNeeds | undefined): boolean {
  return !needs || (!needs.settings?.length && !needs.secrets?.length && !needs.database && !needs.externals?.length);
}

/**
 * The commands that set what an app needs and lacks: one `slipway secret set` per secret not set
 * yet. Settings are left out: each has a default the app starts with.
 * @example secretHints('weather', { secrets: [{ name: 'API_KEY', description: '' }] }, []) // ['slipway secret set weather API_KEY']
 */
export function secretHints(app: string, needs: AppNeeds | undefined, set: readonly string[], env?: string): string[] {
  const flag = env === undefined ? '' : ` --env ${env}`;
  return (needs?.secrets ?? []).filter((s) => !set.includes(s.name)).map((s) => `slipway secret set ${app} ${s.name}${flag}`);
}

/**
 * The settings and secrets an app needs that are not set, as `env list` rows: a setting with the
 * default the app uses meanwhile, a secret as needed.
 * @example unsetNeeds({ secrets: [{ name: 'API_KEY', description: '' }] }, {}, []) // [['API_KEY', '(secret, needed, not set)']]
 */
export function unsetNeeds(needs: AppNeeds | undefined, settings: Readonly<Record<string, string>>, secrets: readonly string[]): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const s of needs?.settings ?? []) {
    if (!Object.hasOwn(settings, s.name)) rows.push([s.name, `(not set: default ${JSON.stringify(s.default ?? '')})`]);
  }
  for (const s of needs?.secrets ?? []) if (!secrets.includes(s.name)) rows.push([s.name, '(secret, needed, not set)']);
  return rows;
}

/** The needs in a line for people: `settings GREETING; secrets API_KEY; database postgres; externals nas`. */
export function needsLine(needs: AppNeeds | undefined): string {
  if (!needs) return '';
  const parts: string[] = [];
  if (needs.settings?.length) parts.push(`settings ${needs.settings.map((s) => s.name).join(', ')}`);
  if (needs.secrets?.length) parts.push(`secrets ${needs.secrets.map((s) => s.name).join(', ')}`);
  if (needs.database) parts.push(`database ${needs.database}`);
  if (needs.externals?.length) parts.push(`externals ${needs.externals.join(', ')}`);
  return parts.join('; ');
}

/**
 * The valid entries of a list, first of each name, none of the names `secrets` (a secret is never
 * also a plain setting), at most `limit`; every entry left out is a warning.
 */
function entries<T extends z.ZodType>(kind: string, list: unknown, schema: T, limit: number, warnings: string[], secrets = new Set<string>()): Array<z.infer<T>> {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    warnings.push(`dropped the ${kind}s: they were not a list`);
    return [];
  }
  const kept: Array<z.infer<T>> = [];
  const seen = new Set<string>();
  for (const item of list) {
    const parsed = schema.safeParse(item);
    const label = nameOf(item);
    if (!parsed.success) {
      warnings.push(`dropped ${kind} ${label}: ${parsed.error.issues[0]?.message ?? 'not valid'}`);
      continue;
    }
    const key = typeof parsed.data === 'string' ? parsed.data : (parsed.data as { name: string }).name;
    if (seen.has(key)) continue;
    seen.add(key);
    if (secrets.has(key)) {
      warnings.push(`dropped ${kind} ${JSON.stringify(key)}: it is also a secret`);
      continue;
    }
    kept.push(parsed.data);
  }
  if (kept.length > limit) warnings.push(`kept the first ${limit} of ${kept.length} ${kind}s: an app needs fewer`);
  return kept.slice(0, limit);
}

function databaseOf(value: unknown, warnings: string[]): 'postgres' | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (word === 'postgres' || word === 'postgresql') return 'postgres';
  if (word === '' || word === 'none') return undefined;
  warnings.push(`dropped database ${nameOf(value)}: Slipway provides postgres only`);
  return undefined;
}

/** An entry's name for a warning, short and printable whatever the entry was. */
function nameOf(item: unknown): string {
  const name = isRecord(item) ? item.name : item;
  if (typeof name !== 'string') return '(unnamed)';
  const printable = name.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 40 ? `${printable.slice(0, 40)}…` : printable);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
