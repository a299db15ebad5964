import { ConflictError, EnvName, InputError, NotFoundError, SECRET_VALUE_MAX, SETTING_VALUE_MAX, type AppConfig } from '../domain/index.ts';

/** What a configure request asks: settings to set or unset, secrets to set (values) or unset. */
export interface ConfigChange {
  set?: Record<string, string>;
  unset?: string[];
  secrets?: Record<string, string>;
  unsetSecrets?: string[];
}

/** A setting or secret name as an app reads it, or an InputError saying what to fix. */
export function checkEnvName(name: string, what: 'setting' | 'secret'): string {
  const parsed = EnvName.safeParse(name);
  if (parsed.success) return parsed.data;
  const reason = parsed.error.issues[0]?.message ?? 'it is not an environment variable name';
  throw new InputError(`${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)} is not a ${what} name Slipway accepts: ${reason}`, {
    hint: 'Use an environment variable name such as API_KEY or THEME.',
  });
}

function checkValue(name: string, value: unknown, what: 'setting' | 'secret'): string {
  const max = what === 'setting' ? SETTING_VALUE_MAX : SECRET_VALUE_MAX;
  // The message names the secret, never its value.
  if (typeof value !== 'string') throw new InputError(`the value of ${what} ${name} must be text`);
  if (what === 'secret' && value.length === 0) throw new InputError(`the value of secret ${name} is empty`, { hint: `To remove it, use \`slipway secret unset <app> ${name}\`.` });
  if (Buffer.byteLength(value) > max) throw new InputError(`the value of ${what} ${name} is ${Buffer.byteLength(value)} bytes; at most ${max} are accepted`);
  if (value.includes('\0')) throw new InputError(`the value of ${what} ${name} holds a NUL character, which no environment variable can`);
  return value;
}

/** The request's names and values, checked (names, sizes) before anything else is looked at. */
export function checkConfigChange(change: ConfigChange) {
  const set = Object.entries(change.set ?? {}).map(([name, value]) => [checkEnvName(name, 'setting'), checkValue(name, value, 'setting')] as const);
  const secrets = Object.entries(change.secrets ?? {}).map(([name, value]) => [checkEnvName(name, 'secret'), checkValue(name, value, 'secret')] as const);
  const unset = (change.unset ?? []).map((name) => checkEnvName(name, 'setting'));
  const unsetSecrets = (change.unsetSecrets ?? []).map((name) => checkEnvName(name, 'secret'));
  if (set.length + secrets.length + unset.length + unsetSecrets.length === 0) throw new InputError('nothing to change: name at least one setting or secret');
  return { set, secrets, unset, unsetSecrets };
}

/**
 * Applies a configure request to an app's configuration: checked at the edge (names, sizes, a name
 * both a setting and a secret, unsetting what is not set), so a bad one is refused before anything
 * changes. Returns the new configuration and the names each part touched, for the run's request.
 */
export function applyConfigChange(app: string, current: AppConfig, change: ConfigChange) {
  const { set, secrets, unset, unsetSecrets } = checkConfigChange(change);
  const settings = { ...current.settings };
  const names = new Set(current.secrets);
  for (const name of unset) {
    if (!(name in settings)) throw new NotFoundError(`${app} has no setting ${name}`, { hint: `\`slipway env list ${app}\` lists what it has.` });
    delete settings[name];
  }
  for (const name of unsetSecrets) {
    if (!names.has(name)) throw new NotFoundError(`${app} has no secret ${name}`, { hint: `\`slipway env list ${app}\` lists what it has.` });
    names.delete(name);
  }
  for (const [name, value] of set) {
    if (names.has(name)) throw new ConflictError(`${name} is a secret of ${app}, not a setting`, { hint: `Unset it first (\`slipway secret unset ${app} ${name}\`), or set it as a secret.` });
    settings[name] = value;
  }
  for (const [name] of secrets) {
    if (name in settings) throw new ConflictError(`${name} is a setting of ${app}, not a secret`, { hint: `Unset it first (\`slipway env unset ${app} ${name}\`), then set it as a secret.` });
    names.add(name);
  }
  const config: AppConfig = { ...current, settings: sortedRecord(settings), secrets: [...names].sort() };
  return {
    config,
    secretValues: Object.fromEntries(secrets),
    touched: { set: set.map(([n]) => n).sort(), unset: [...unset].sort(), secretsSet: secrets.map(([n]) => n).sort(), secretsUnset: [...unsetSecrets].sort() },
  };
}

function sortedRecord(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(values).sort().map((key) => [key, values[key]!]));
}
