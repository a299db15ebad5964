import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './retry.ts';
import { formatScopes, parseScopes, parseWwwAuthenticate } from './www-authenticate.ts';

describe('parseWwwAuthenticate', () => {
  it('keeps commas and spaces inside quoted values', () => {
    const [challenge] = parseWwwAuthenticate(
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push repository:c:pull",error="insufficient_scope"',
    );
    expect(challenge).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push repository:c:pull', error: 'insufficient_scope' },
    });
  });

  it('reads several challenges, unquoted values, spaces and escapes', () => {
    expect(parseWwwAuthenticate(['Basic realm="Registry Realm", Bearer realm=https://a/t , service = "s\\"x"'])).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
      { scheme: 'bearer', params: { realm: 'https://a/t', service: 's"x' } },
    ]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });
});

describe('scopes', () => {
  it('merges actions per repository and sorts them for cache keys', () => {
    const merged = parseScopes('repository:b:push', parseScopes('repository:b:pull repository:a:pull'));
    expect(formatScopes(merged)).toEqual(['repository:a:pull', 'repository:b:pull,push']);
    expect(formatScopes(parseScopes('repository:localhost:5000/x:pull'))).toEqual(['repository:localhost:5000/x:pull']);
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    const now = Date.parse('Wed, 21 Oct 2015 07:27:58 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(2000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped, and honours Retry-After within bounds', () => {
    const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(policy, 1, undefined, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, undefined, () => 1)).toBe(100);
    expect(backoffDelay(policy, 3, undefined, () => 1)).toBe(400);
    expect(backoffDelay(policy, 10, undefined, () => 1)).toBe(1000);
    expect(backoffDelay(policy, 1, 2000)).toBe(2000);
    expect(backoffDelay(policy, 1, 3_600_000)).toBe(60_000);
  });
});
