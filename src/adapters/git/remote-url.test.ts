import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/index.ts';
import { parseRemoteUrl, redactRemote } from './remote-url.ts';

describe('parseRemoteUrl', () => {
  it('removes every credential from https URLs, including a token given as the user name', () => {
    expect(parseRemoteUrl('https://user:s3cret-token@git.home.lan/ops/gitops.git').display).toBe('https://git.home.lan/ops/gitops.git');
    expect(parseRemoteUrl('https://ghp_abcdefgh1234@github.com/o/r.git').display).toBe('https://github.com/o/r.git');
    expect(parseRemoteUrl('https://git.home.lan/o/r.git').display).toBe('https://git.home.lan/o/r.git');
  });

  it('keeps the ssh user (part of the address) and leaves scp-like remotes alone', () => {
    expect(parseRemoteUrl('ssh://git@git.home.lan:2222/o/r.git').display).toBe('ssh://git@git.home.lan:2222/o/r.git');
    expect(parseRemoteUrl('ssh://git:pw1234@h/o/r.git').display).toBe('ssh://git@h/o/r.git');
    expect(parseRemoteUrl('git@github.com:o/r.git')).toMatchObject({ forGit: 'git@github.com:o/r.git', display: 'git@github.com:o/r.git' });
  });

  it('makes local paths absolute (git runs inside the cache clone)', () => {
    expect(parseRemoteUrl('repos/apps.git').forGit).toBe(resolve('repos/apps.git'));
    expect(parseRemoteUrl('/srv/git/apps.git').forGit).toBe('/srv/git/apps.git');
    expect(parseRemoteUrl('file:///srv/git/apps.git').forGit).toBe('file:///srv/git/apps.git');
  });

  it('names one cache per remote, whatever the credentials', () => {
    const a = parseRemoteUrl('https://x:token-one@h/o/r.git').cacheKey;
    expect(parseRemoteUrl('https://y:token-two@h/o/r.git').cacheKey).toBe(a);
    expect(parseRemoteUrl('https://h/o/other.git').cacheKey).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('tells the transport, and takes http credentials out of the URL given to git', () => {
    expect(['/srv/a.git', 'file:///srv/a.git', 'git@h:a.git', 'ssh://git@h/a.git', 'https://h/a.git', 'git://h/a.git'].map((u) => parseRemoteUrl(u).transport))
      .toEqual(['file', 'file', 'ssh', 'ssh', 'http', 'other']);
    const remote = parseRemoteUrl('https://bot:p%40ss@git.home.lan:3000/o/r.git');
    expect(remote).toMatchObject({ forGit: 'https://git.home.lan:3000/o/r.git', origin: 'https://git.home.lan:3000/', credentials: { username: 'bot', password: 'p@ss' } });
    expect(parseRemoteUrl('http://h/o/r.git')).toMatchObject({ forGit: 'http://h/o/r.git', origin: 'http://h/' });
    expect(parseRemoteUrl('http://h/o/r.git').credentials).toBeUndefined();
  });

  it('refuses remotes git would read as options', () => {
    expect(() => parseRemoteUrl('--upload-pack=touch /tmp/x')).toThrow(ConfigError);
    expect(() => parseRemoteUrl('')).toThrow(ConfigError);
  });

  it('masks credentials in free text, in URLs or on their own (also percent-decoded)', () => {
    const remote = parseRemoteUrl('https://user:p%40ss-word@h/o/r.git');
    const text = "fatal: unable to access 'https://user:p%40ss-word@h/o/r.git/': p@ss-word rejected";
    const out = redactRemote(text, remote);
    expect(out).not.toContain('ss-word');
    expect(out).toContain('https://***@h/o/r.git');
  });
});
