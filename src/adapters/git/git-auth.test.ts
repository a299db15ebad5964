import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/index.ts';
import { gitAuth, sshCommand } from './git-auth.ts';
import { gitEnvironment } from './git-process.ts';
import { parseRemoteUrl } from './remote-url.ts';
import { tempRoot } from './cli-git.test-support.ts';

const root = tempRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The words `sh` makes of a command line, as git's `sh -c "$GIT_SSH_COMMAND …"` does. */
function shellWords(command: string): string[] {
  return execFileSync('sh', ['-c', `eval "set -- $1"; printf '%s\\n' "$@"`, 'sh', command]).toString().trimEnd().split('\n');
}

describe('sshCommand', () => {
  it('quotes paths with spaces, quotes and percent signs for the shell and for ssh', () => {
    const words = shellWords(sshCommand({ keyFile: "/keys/deploy keys/it's 100%/id", knownHostsFile: '/keys/known hosts', strictHostKeyChecking: 'accept-new' }));
    expect(words).toEqual([
      'ssh', '-o', 'IdentityFile="/keys/deploy keys/it\'s 100%%/id"', '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20',
      '-o', 'UserKnownHostsFile="/keys/known hosts"', '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=accept-new',
    ]);
    expect(shellWords(sshCommand({ keyFile: '/k/id' }))).toContain('StrictHostKeyChecking=yes');
  });

  it('refuses paths ssh would expand or split differently', () => {
    for (const keyFile of ['/k/$HOME/id', '/k/"id', '/k/a\\b', '/k/a\nb']) expect(() => sshCommand({ keyFile }), keyFile).toThrow(ConfigError);
  });
});

describe('gitAuth', () => {
  it('refuses a deploy key other users can read, saying how to fix it', async () => {
    const dir = join(root, 'keys');
    mkdirSync(dir, { recursive: true });
    const key = join(dir, 'open key');
    writeFileSync(key, 'not really a key\n', { mode: 0o644 });
    const auth = gitAuth(parseRemoteUrl('git@git.home.lan:ops/gitops.git'), { ssh: { keyFile: key } });
    const error = await auth.check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('mode 0644');
    expect((error as ConfigError).hint).toBe(`Run: chmod 600 '${key}'`);
    await expect(gitAuth(parseRemoteUrl('ssh://git@h/x.git'), { ssh: { keyFile: join(dir, 'missing') } }).check()).rejects.toThrow(/does not exist/);
  });

  it('sends a token as an Authorization header scoped to the server, in environment configuration only', () => {
    const auth = gitAuth(parseRemoteUrl('https://git.home.lan/ops/gitops.git'), { https: { token: 'tok-secret-1' } });
    const encoded = Buffer.from('x-access-token:tok-secret-1').toString('base64');
    expect(auth.configEntries).toEqual([['credential.helper', ''], ['http.https://git.home.lan/.extraHeader', `Authorization: Basic ${encoded}`]]);
    expect(auth.secrets).toEqual(['tok-secret-1', encoded]);
    const env = gitEnvironment({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'a.b', GIT_CONFIG_VALUE_0: 'c' }, auth.configEntries);
    expect(env).toMatchObject({ GIT_CONFIG_COUNT: '3', GIT_CONFIG_KEY_0: 'a.b', GIT_CONFIG_KEY_2: 'http.https://git.home.lan/.extraHeader' });
    const bearer = gitAuth(parseRemoteUrl('https://h/x.git'), { https: { token: 'tok-secret-2', scheme: 'bearer' } });
    expect(bearer.configEntries[1]?.[1]).toBe('Authorization: Bearer tok-secret-2');
  });

  it('takes credentials out of an https URL and sends them the same way', () => {
    const remote = parseRemoteUrl('https://bot:tok-in-url@git.home.lan:3000/ops/gitops.git');
    expect(remote.forGit).toBe('https://git.home.lan:3000/ops/gitops.git');
    const header = gitAuth(remote, {}).configEntries[1]?.[1];
    expect(header).toBe(`Authorization: Basic ${Buffer.from('bot:tok-in-url').toString('base64')}`);
  });

  it('refuses credentials that do not fit the remote, and header injection', () => {
    expect(() => gitAuth(parseRemoteUrl('https://h/x.git'), { ssh: { keyFile: '/k' } })).toThrow(/not an ssh remote/);
    expect(() => gitAuth(parseRemoteUrl('git@h:x.git'), { https: { token: 't' } })).toThrow(/not an http\(s\) remote/);
    expect(() => gitAuth(parseRemoteUrl('https://u:p@h/x.git'), { https: { token: 't' } })).toThrow(/carries credentials/);
    expect(() => gitAuth(parseRemoteUrl('https://h/x.git'), { https: { token: 'a\r\nX-Evil: 1' } })).toThrow(ConfigError);
    expect(() => gitAuth(parseRemoteUrl('https://h/x.git'), { https: { token: ' ' } })).toThrow(/empty/);
  });
});
