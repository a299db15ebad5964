import { ConflictError, InputError } from './errors.ts';

/** What choosing a rollback's target needs to know of each version (newest first). */
export interface VersionPin {
  version: string;
  digest: string;
}

/**
 * The version a rollback goes back to, from an app's versions in one environment, newest first (the
 * first is what runs now). `to` names one; without it, the newest earlier version that runs another
 * image than the current one (going back to the same digest would change nothing: after v1.1.0 was
 * rolled back to v1.0.0 as v1.1.1, the default is the version before v1.1.1 with another image).
 * Rolling back to what runs already, or to a version the app never had, is refused with the list.
 * @example chooseRollbackTarget([{ version: 'v1.1.0', digest: 'sha256:b' }, { version: 'v1.0.0', digest: 'sha256:a' }], undefined, 'pomodoro').version // 'v1.0.0'
 */
export function chooseRollbackTarget<V extends VersionPin>(versions: V[], to: string | undefined, app: string): V {
  const [current, ...earlier] = versions;
  if (!current) throw new ConflictError(`${app} has no version yet, so there is nothing to roll back`, { hint: `Create it first, or name the environment it runs in with --env.` });
  const listed = `its versions, newest first: ${versions.map((v, i) => (i === 0 ? `${v.version} (current)` : v.version)).join(', ')}`;
  if (to === undefined) {
    const target = earlier.find((v) => v.digest !== current.digest);
    if (!target) throw new ConflictError(`${app} has no earlier version that runs another image than ${current.version}, so there is nothing to roll back to (${listed})`);
    return target;
  }
  const target = versions.find((v) => v.version === to);
  if (!target) {
    throw new InputError(`${app} has no version ${to} (${listed})`, { hint: earlier[0] ? `Name one of them with --to, e.g. --to ${earlier[0].version}.` : `${current.version} is its only version: there is nothing earlier to go back to yet.` });
  }
  if (target === current) throw new ConflictError(`${app} runs ${to} already: rolling back to it would change nothing (${listed})`, { hint: 'Name an earlier version with --to.' });
  if (target.digest === current.digest) {
    throw new ConflictError(`${to} runs the same image as the current ${current.version} (${current.digest.slice(0, 19)}), so rolling back to it would change nothing (${listed})`, { hint: 'Name a version with another image with --to.' });
  }
  return target;
}
