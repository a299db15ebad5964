import { z } from 'zod';
import type { AppRecord } from './app-record.ts';

/**
 * Names Slipway sets itself for every app (or its database): an app cannot be configured with them,
 * or a setting would quietly change where the app listens or keeps its data.
 */
export const RESERVED_ENV_NAMES: readonly string[] = ['PORT', 'HOST', 'DATA_DIR', 'NODE_ENV', 'DATABASE_URL', 'PATH'];

/** The longest setting or secret name Slipway accepts. */
export const ENV_NAME_MAX = 128;

/**
 * An environment variable name an app reads: upper-case letters, digits and _, not starting with a
 * digit; not one Slipway sets (PORT, HOST, DATA_DIR, NODE_ENV, DATABASE_URL, PATH).
 */
export const EnvName = z
  .string()
  .max(ENV_NAME_MAX, `a name has at most ${ENV_NAME_MAX} characters`)
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'a name is upper-case letters, digits and _, not starting with a digit (e.g. API_KEY)')
  .refine((name) => !RESERVED_ENV_NAMES.includes(name), {
    message: `Slipway sets ${RESERVED_ENV_NAMES.join(', ')} itself: choose another name`,
  });

/** The largest plain setting value, in bytes: settings land in the Deployment, which has its own limits. */
export const SETTING_VALUE_MAX = 4096;
/** The largest secret value, in bytes (a Kubernetes Secret holds at most 1 MiB in all). */
export const SECRET_VALUE_MAX = 64 * 1024;

/** What a Postgres database for an app looks like. */
export interface DatabaseNeed {
  engine: 'postgres';
  /** Storage size as Kubernetes writes it, e.g. `1Gi`. */
  storage?: string;
}

/** What an app is configured with, per environment: plain settings (values) and the names of its secrets (values are never here). */
export interface AppConfig {
  settings: Record<string, string>;
  secrets: string[];
  database?: DatabaseNeed;
  externals: string[];
  egressHosts: string[];
}

/** The configuration of an app nobody configured yet. */
export function emptyAppConfig(): AppConfig {
  return { settings: {}, secrets: [], externals: [], egressHosts: [] };
}

/** The Secret an app's secrets are in, in its namespace: `<app>-env`. */
export function appSecretName(app: string): string {
  return `${app}-env`;
}

/** What the app is configured with in `env` (`defaultEnv` when the record names none). */
export function configIn(record: Pick<AppRecord, 'config' | 'configs' | 'env'>, env: string, defaultEnv: string): AppConfig {
  const own = record.configs?.[env] ?? ((record.env ?? defaultEnv) === env ? record.config : undefined);
  return own ? { ...emptyAppConfig(), ...own } : emptyAppConfig();
}

/** The record with `config` as the app's configuration in `env`; `config` follows the environment the record names. */
export function withConfigIn<R extends Pick<AppRecord, 'config' | 'configs' | 'env'>>(record: R, env: string, defaultEnv: string, config: AppConfig): R {
  const configs = { ...record.configs, [env]: config };
  return { ...record, configs, ...((record.env ?? defaultEnv) === env ? { config } : {}) };
}
