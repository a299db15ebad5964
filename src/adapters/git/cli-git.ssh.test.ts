import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ExternalServiceError } from '../../domain/index.ts';
import { readFileAtHead } from '../../../test/support/git-fixtures.ts';
import { startGitSshServer, type GitSshServer } from '../../../test/support/git-server.ts';
import type { GitSshOptions } from './git-auth.ts';
import { PARENT, addApp, gitRepo, listedApps, tempRoot } from './cli-git.test-support.ts';

const root = tempRoot();
let server: GitSshServer;
/** Key and known_hosts copied under a path git and ssh could both misread: spaces, a quote, a percent sign. */
let odd: { keyFile: string; knownHostsFile: string };

beforeAll(async () => {
  server = await startGitSshServer();
  const dir = join(root, "deploy keys/it's 100%");
  mkdirSync(dir, { recursive: true });
  odd = { keyFile: join(dir, 'id ed25519'), knownHostsFile: join(dir, 'known hosts') };
  copyFileSync(server.keyFile, odd.keyFile);
  chmodSync(odd.keyFile, 0o600);
  copyFileSync(server.knownHostsFile, odd.knownHostsFile);
});
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
const cache = () => join(root, `cache-${++counter}`);
const commitApp = (url: string, ssh: GitSshOptions, name = 'demo') =>
  gitRepo(url, cache(), { ssh }).commit({ message: `Deploy ${name}`, trailers: {}, apply: (t) => addApp(t, name) });

describe('CliGit over ssh with a deploy key', () => {
  it('commits and pushes with the key and known_hosts, even from paths with spaces, quotes and %', async () => {
    const { dir, url } = await server.createRepo('deploy.git');
    const result = await commitApp(url, odd);
    expect(result.created).toBe(true);
    expect(listedApps(await readFileAtHead(dir, PARENT))).toEqual(['demo']);
  });

  it('refuses a server whose host key is not in known_hosts, saying how to record it', async () => {
    const { dir, url } = await server.createRepo('unknown.git');
    const knownHostsFile = join(root, 'empty_known_hosts');
    writeFileSync(knownHostsFile, '');
    const error = await commitApp(url, { keyFile: server.keyFile, knownHostsFile }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as Error).message).toContain('the SSH host key of the git server is not trusted');
    expect((error as ExternalServiceError).hint).toContain(`ssh-keyscan -p PORT HOST >> ${knownHostsFile}`);
    expect(await readFileAtHead(dir, PARENT)).toBeUndefined();
  });

  it('refuses a server whose host key changed', async () => {
    const { url } = await server.createRepo('changed.git');
    const other = join(root, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const knownHostsFile = join(root, 'stale_known_hosts');
    writeFileSync(knownHostsFile, `[127.0.0.1]:${server.port} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const error = await commitApp(url, { keyFile: server.keyFile, knownHostsFile }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('differs from the one recorded');
  });

  it('records a new host with accept-new, then trusts it strictly', async () => {
    const { url } = await server.createRepo('accept.git');
    const knownHostsFile = join(root, 'fresh', 'known_hosts');
    mkdirSync(join(root, 'fresh'));
    expect((await commitApp(url, { keyFile: server.keyFile, knownHostsFile, strictHostKeyChecking: 'accept-new' }, 'a')).created).toBe(true);
    expect(readFileSync(knownHostsFile, 'utf8')).toMatch(/ssh-ed25519 /);
    expect((await commitApp(url, { keyFile: server.keyFile, knownHostsFile }, 'b')).created).toBe(true);
  });

  it('says when the server refuses the key, and refuses a key file others can read before running git', async () => {
    const { url } = await server.createRepo('refused.git');
    const stranger = join(root, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const refused = await commitApp(url, { keyFile: stranger, knownHostsFile: server.knownHostsFile }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain('the git server refused the SSH key');
    expect((refused as ExternalServiceError).hint).toMatch(/deploy key with write access/);

    const loose = join(root, 'loose');
    copyFileSync(server.keyFile, loose);
    chmodSync(loose, 0o640);
    const cacheDir = cache();
    const error = await gitRepo(url, cacheDir, { ssh: { keyFile: loose, knownHostsFile: server.knownHostsFile } }).log().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('mode 0640');
    expect((error as ConfigError).hint).toBe(`Run: chmod 600 ${loose}`);
    expect(readdirSync(cacheDir)).toEqual([]); // no clone was made
  });
});
