import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import { githubPushPayload, githubSignatureHeaders, repoIdentity } from './github-push.ts';

const REVISION = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';

describe('repoIdentity', () => {
  it.each([
    ['git@git.home.lan:ops/homelab.git', 'ops/homelab', 'https://git.home.lan/ops/homelab', 'git@git.home.lan:ops/homelab.git'],
    ['ssh://git@git.home.lan:2222/ops/homelab.git', 'ops/homelab', 'https://git.home.lan/ops/homelab', 'git@git.home.lan:ops/homelab.git'],
    ['https://x-access-token:secret-value@github.com/acme/cluster.git', 'acme/cluster', 'https://github.com/acme/cluster', 'git@github.com:acme/cluster.git'],
    ['https://gitea.home:3000/ops/homelab', 'ops/homelab', 'https://gitea.home:3000/ops/homelab', 'git@gitea.home:ops/homelab.git'],
    ['https://gitlab.home/group/sub/app.git', 'group/sub/app', 'https://gitlab.home/group/sub/app', 'git@gitlab.home:group/sub/app.git'],
    ['/srv/slipway/gitops.git', 'srv/slipway/gitops', 'https://localhost/srv/slipway/gitops', 'git@localhost:srv/slipway/gitops.git'],
  ])('%s', (url, fullName, htmlUrl, sshUrl) => {
    const repo = repoIdentity(url);
    expect(repo).toMatchObject({ fullName, htmlUrl, sshUrl });
    expect(JSON.stringify(repo)).not.toContain('secret-value');
  });
});

describe('githubPushPayload', () => {
  const request = { app: 'pomodoro', revision: REVISION, branch: 'apps/main', repoUrl: 'https://github.com/acme/cluster.git' };

  it('describes the push like GitHub does, with no files so that Argo CD refreshes regardless of paths', () => {
    const payload = JSON.parse(githubPushPayload(request, { timestamp: '2026-03-01T12:00:00Z', defaultBranch: 'main' }));
    expect(payload.ref).toBe('refs/heads/apps/main');
    expect(payload.after).toBe(REVISION);
    expect(payload.before).toMatch(/^0{40}$/);
    expect(payload.repository).toMatchObject({ full_name: 'acme/cluster', owner: { login: 'acme' }, default_branch: 'main', url: 'https://github.com/acme/cluster' });
    expect(payload.head_commit).toMatchObject({ id: REVISION, url: `https://github.com/acme/cluster/commit/${REVISION}`, added: [], modified: [], removed: [] });
    expect(payload.commits).toEqual([payload.head_commit]);
    expect(payload.compare).toBe(`https://github.com/acme/cluster/compare/000000000000...${REVISION.slice(0, 12)}`);
  });

  it('is byte-for-byte reproducible', () => {
    const options = { timestamp: '2026-03-01T12:00:00Z' };
    expect(githubPushPayload(request, options)).toBe(githubPushPayload({ ...request }, { ...options }));
  });

  it('refuses an abbreviated revision or a ref instead of a branch', () => {
    expect(() => githubPushPayload({ ...request, revision: REVISION.slice(0, 12) }, { timestamp: 'x' })).toThrow(InputError);
    expect(() => githubPushPayload({ ...request, branch: 'refs/heads/main' }, { timestamp: 'x' })).toThrow(InputError);
    expect(() => githubPushPayload({ ...request, branch: 'a..b' }, { timestamp: 'x' })).toThrow(InputError);
  });
});

describe('githubSignatureHeaders', () => {
  it("matches GitHub's documented example and openssl", () => {
    // GitHub's "Validating webhook deliveries" example; both also from
    // printf '%s' 'Hello, World!' | openssl dgst -sha256 (or -sha1) -hmac "It's a Secret to Everybody"
    const headers = githubSignatureHeaders(Buffer.from('Hello, World!'), "It's a Secret to Everybody");
    expect(headers['x-hub-signature-256']).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    expect(headers['x-hub-signature']).toBe('sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59');
  });
});
