import { describe, expect, it } from 'vitest';
import { ConflictError, InputError } from './errors.ts';
import { chooseRollbackTarget } from './rollback-target.ts';

const history = [
  { version: 'v1.1.1', digest: 'sha256:a' },
  { version: 'v1.1.0', digest: 'sha256:b' },
  { version: 'v1.0.0', digest: 'sha256:a' },
];

describe('chooseRollbackTarget', () => {
  it('goes back to the version before the current one by default', () => {
    expect(chooseRollbackTarget(history.slice(1), undefined, 'pomodoro').version).toBe('v1.0.0');
  });

  it('skips earlier versions that run the current image', () => {
    expect(chooseRollbackTarget([{ version: 'v1.2.0', digest: 'sha256:c' }, ...history], undefined, 'pomodoro').version).toBe('v1.1.1');
    expect(chooseRollbackTarget([{ version: 'v1.1.2', digest: 'sha256:b' }, ...history], undefined, 'pomodoro').version).toBe('v1.1.1');
  });

  it('takes the version --to names', () => {
    expect(chooseRollbackTarget(history, 'v1.1.0', 'pomodoro')).toEqual({ version: 'v1.1.0', digest: 'sha256:b' });
  });

  it('refuses an unknown version, listing the versions there are', () => {
    const error = (() => { try { chooseRollbackTarget(history, 'v9.0.0', 'pomodoro'); } catch (e) { return e as InputError; } })();
    expect(error).toBeInstanceOf(InputError);
    expect(error!.message).toBe('pomodoro has no version v9.0.0 (its versions, newest first: v1.1.1 (current), v1.1.0, v1.0.0)');
    expect(error!.hint).toBe('Name one of them with --to, e.g. --to v1.1.0.');
  });

  it('refuses the current version, and one running the same image', () => {
    expect(() => chooseRollbackTarget(history, 'v1.1.1', 'pomodoro')).toThrow(ConflictError);
    expect(() => chooseRollbackTarget(history, 'v1.1.1', 'pomodoro')).toThrow(/runs v1.1.1 already/);
    expect(() => chooseRollbackTarget(history, 'v1.0.0', 'pomodoro')).toThrow(/v1.0.0 runs the same image as the current v1.1.1/);
  });

  it('refuses when there is nothing earlier to go back to', () => {
    expect(() => chooseRollbackTarget([], undefined, 'pomodoro')).toThrow(/has no version yet/);
    expect(() => chooseRollbackTarget([{ version: 'v1.0.0', digest: 'sha256:a' }], undefined, 'pomodoro')).toThrow(/no earlier version .* \(its versions, newest first: v1.0.0 \(current\)\)/);
  });
});
