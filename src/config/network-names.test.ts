import { describe, expect, it } from 'vitest';
import { gitRemoteProblem, hostProblem, urlProblem } from './network-names.ts';

describe('hostProblem', () => {
  it.each(['127.0.0.1', '0.0.0.0', '::1', 'fe80::1', 'localhost', 'my-host.lan', 'apps.k8s-lab.dev', 'a.b.c.', 'x'.repeat(63)])('accepts %j', (host) => {
    expect(hostProblem(host)).toBeUndefined();
  });
  it.each(['', 'not a host', 'a..b', '-x.lan', 'x-.lan', `${'x'.repeat(64)}.lan`, 'host_name', 'http://x', '127.0.0.1:80', `${'a.'.repeat(127)}ab`])('refuses %j', (host) => {
    expect(hostProblem(host)).toMatch(/empty|hostname/);
  });
});

describe('urlProblem', () => {
  it.each(['http://ollama.lan:11434', 'https://flux-webhook.k8s-lab.dev/hook/abc', 'http://127.0.0.1:5000/x?y=1', 'https://[::1]:8443/'])('accepts %j', (url) => {
    expect(urlProblem(url)).toBeUndefined();
  });
  it.each([
    ['ftp://x.lan/', /uses ftp:/],
    ['file:///etc/passwd', /uses file:/],
    ['javascript:alert(1)', /uses javascript:/],
    ['not a url', /not a URL/],
    ['http://', /not a URL/],
  ])('refuses %j', (url, why) => {
    expect(urlProblem(url)).toMatch(why);
  });
});

describe('gitRemoteProblem', () => {
  it.each(['/srv/git/apps.git', './repos/apps.git', 'file:///srv/git/apps.git', 'https://git.lan/a.git', 'ssh://git@git.lan/a.git', 'git@github.com:me/homelab.git', 'git://git.lan/a.git'])('accepts %j', (url) => {
    expect(gitRemoteProblem(url)).toBeUndefined();
  });
  it.each([
    ['ext::sh -c true', /transport 'ext::'/],
    ['fd::3', /transport 'fd::'/],
    ['-uhack', /starts with '-'/],
    ['ftp://git.lan/a.git', /uses ftp:\/\//],
    ['https://git.lan/a\n.git', /control characters/],
  ])('refuses %j', (url, why) => {
    expect(gitRemoteProblem(url)).toMatch(why);
  });
});
