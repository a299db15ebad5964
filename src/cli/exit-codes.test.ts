import { describe, expect, it } from 'vitest';
import { CancelledError, ConfigError, ConflictError, ExternalServiceError, InputError, NotFoundError } from '../domain/errors.ts';
import { exitCodeFor } from './exit-codes.ts';

describe('exitCodeFor', () => {
  it.each([new InputError('bad'), new NotFoundError('gone'), new ConfigError('wrong'), new ConflictError('taken')])('gives 2 for %s: the input is to fix', (error) => {
    expect(exitCodeFor(error)).toBe(2);
  });
  it.each([new ExternalServiceError('git', 'down'), new CancelledError(), new Error('boom'), 'a string'])('gives 1 for %s: the run failed', (error) => {
    expect(exitCodeFor(error)).toBe(1);
  });
});
