import { InputError } from './errors.ts';

/**
 * A version of an app: every successful deploy is one, `v{MAJOR}.{MINOR}.{PATCH}`. A create is
 * `v1.0.0`, a change bumps the minor number (or the patch or major one), a rollback the patch one.
 */
export type Version = string;

export const VERSION_PATTERN = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** The version every app starts at. */
export const FIRST_VERSION: Version = 'v1.0.0';

/** Which number a new version raises. */
export type VersionPart = 'major' | 'minor' | 'patch';

/**
 * The three numbers of a version; anything else is bad input.
 * @example parseVersion('v1.2.3') // { major: 1, minor: 2, patch: 3 }
 */
export function parseVersion(version: string): { major: number; minor: number; patch: number } {
  const match = VERSION_PATTERN.exec(version);
  if (!match) {
    throw new InputError(`'${version}' is not a version`, { hint: 'Versions look like v1.2.0: a v, then three whole numbers without leading zeros (see `slipway versions <app>`).' });
  }
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** True when `version` reads as a version. */
export function isVersion(version: string): boolean {
  return VERSION_PATTERN.test(version);
}

/**
 * The next version: a major bump resets minor and patch, a minor bump resets patch.
 * @example bumpVersion('v1.2.3', 'minor') // 'v1.3.0'
 */
export function bumpVersion(version: Version, part: VersionPart): Version {
  const { major, minor, patch } = parseVersion(version);
  if (part === 'major') return `v${major + 1}.0.0`;
  if (part === 'minor') return `v${major}.${minor + 1}.0`;
  return `v${major}.${minor}.${patch + 1}`;
}

/**
 * Orders versions by their numbers (not as text: v1.10.0 is after v1.9.0); negative when `a` is older.
 * @example ['v1.10.0', 'v1.9.0'].sort(compareVersions) // ['v1.9.0', 'v1.10.0']
 */
export function compareVersions(a: Version, b: Version): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** An environment's name: it ends image tags, so lowercase letters, digits and inner dashes, up to 32. */
export const ENV_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;
const ENV_NAME_HINT = 'Name environments with lowercase letters, digits and dashes, e.g. dev or prod.';

/** Refuses a name that cannot be an environment's, saying what one looks like. */
export function assertEnvName(env: string): string {
  if (!ENV_NAME_PATTERN.test(env)) throw new InputError(`'${env}' is not an environment name`, { hint: ENV_NAME_HINT });
  return env;
}

/**
 * The image tag of a version: the version, the source commit's first 7 hex digits and the
 * environment, so a tag says what it is at a glance and no two builds share one.
 * @example imageTag('v1.1.0', 'a3f5c2b9e0…', 'prod') // 'v1.1.0-a3f5c2b-prod'
 */
export function imageTag(version: Version, sourceSha: string, env: string): string {
  parseVersion(version);
  if (!/^[0-9a-f]{7,64}$/.test(sourceSha)) throw new InputError(`'${sourceSha}' is not a commit SHA`, { hint: 'Pass the source commit the image is built from.' });
  if (!ENV_NAME_PATTERN.test(env)) throw new InputError(`'${env}' cannot end an image tag`, { hint: ENV_NAME_HINT });
  return `${version}-${sourceSha.slice(0, 7)}-${env}`;
}
