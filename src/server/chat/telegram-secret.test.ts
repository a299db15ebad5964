import { describe, expect, it } from 'vitest';
import { telegramSecretMatches } from './telegram-secret.ts';

describe('telegramSecretMatches', () => {
  it('matches the secret token exactly', () => {
    expect(telegramSecretMatches('s3cret_Token-1', 's3cret_Token-1')).toBe(true);
    expect(telegramSecretMatches('s3cret_Token-2', 's3cret_Token-1')).toBe(false);
    expect(telegramSecretMatches('s3cret_Token-1 ', 's3cret_Token-1')).toBe(false);
    expect(telegramSecretMatches('s3cret', 's3cret_Token-1')).toBe(false);
    expect(telegramSecretMatches('', 's3cret_Token-1')).toBe(false);
    expect(telegramSecretMatches(undefined, 's3cret_Token-1')).toBe(false);
  });
});
