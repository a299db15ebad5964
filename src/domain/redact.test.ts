import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrlCredentials } from './redact.ts';

describe('redaction', () => {
  it('blanks secret-named keys at any depth', () => {
    const out = redactSecrets({ token: 'abc', nested: { apiKey: 'k', list: [{ password: 'p', user: 'u' }] }, name: 'n' });
    expect(out).toEqual({ token: '[redacted]', nested: { apiKey: '[redacted]', list: [{ password: '[redacted]', user: 'u' }] }, name: 'n' });
    expect(JSON.stringify(out)).not.toMatch(/abc|"k"|"p"/);
  });
  it('blanks the values of a Secret before encryption, whatever their keys', () => {
    const out = redactSecrets({ plain: { name: 'registry', stringData: { username: 'pusher', htpasswd: 'pusher:$2y$10$abc' } } });
    expect(out).toEqual({ plain: { name: 'registry', stringData: '[redacted]' } });
  });
  it("blanks an app's DATABASE_URL, whose userinfo holds the database password", () => {
    const out = redactSecrets({ env: { DATABASE_URL: 'postgres://guestbook:s3cret@127.0.0.1:5432/guestbook', PORT: '8080' }, databaseUrl: 'postgres://a:b@h/d' });
    expect(out).toEqual({ env: { DATABASE_URL: '[redacted]', PORT: '8080' }, databaseUrl: '[redacted]' });
  });
  it('removes credentials from URLs in text', () => {
    expect(redactUrlCredentials('fatal: https://bot:ghp_secret@git.example/x.git not found')).toBe('fatal: https://***@git.example/x.git not found');
  });
});
