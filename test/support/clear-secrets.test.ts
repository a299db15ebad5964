import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoClearSecrets } from './clear-secrets.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clear-secrets-'));
  dirs.push(dir);
  return dir;
}

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'pipe' });

const TOKEN = 'b5f0c3d1e2a4968778a6c5d4e3f20110';

describe('expectNoClearSecrets', () => {
  it('passes a folder without the values', () => {
    const dir = folder();
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'token.yaml'), 'stringData:\n  token: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\n');
    expect(() => expectNoClearSecrets(dir, [TOKEN])).not.toThrow();
  });

  it('names a nested file holding a value as is, or base64-encoded', () => {
    const dir = folder();
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'b', 'raw.yaml'), `token: ${TOKEN}\n`);
    writeFileSync(join(dir, 'encoded.yaml'), `data:\n  token: ${Buffer.from(TOKEN).toString('base64')}\n`);
    expect(() => expectNoClearSecrets(dir, ['other-value', TOKEN])).toThrow(/a\/b\/raw\.yaml: value #1\n\s+encoded\.yaml: value #1 in base64/);
  });

  it('finds a value that was committed once and removed since', () => {
    const dir = folder();
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'secret.yaml'), `token: ${TOKEN}\n`);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'oops');
    writeFileSync(join(dir, 'secret.yaml'), 'token: ENC[…]\n');
    git(dir, 'commit', '-qam', 'encrypted');
    let message = '';
    try {
      expectNoClearSecrets(dir, [TOKEN]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/secret\.yaml \(blob [0-9a-f]{40} in git history\): value #0/);
    // The working tree itself is clean: only the history holds it.
    expect(message).not.toMatch(/^\s+secret\.yaml: /m);
  });

  it('finds a value in a commit message, and on a branch other than the current one', () => {
    const dir = folder();
    git(dir, 'init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'README'), 'hello\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'start');
    git(dir, 'checkout', '-qb', 'side');
    git(dir, 'commit', '-q', '--allow-empty', '-m', `token is ${TOKEN}`);
    git(dir, 'checkout', '-q', 'main');
    expect(() => expectNoClearSecrets(dir, [TOKEN])).toThrow(/commit [0-9a-f]{40}: value #0/);
  });

  it('refuses values too short to mean anything', () => {
    expect(() => expectNoClearSecrets(folder(), ['abc'])).toThrow(/shorter than 6/);
  });
});
