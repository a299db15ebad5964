import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.ts';
import { currentClientCertificate, currentToken } from './current-credentials.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-kubecred-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const apiServer = 'https://127.0.0.1:6443';

describe('currentToken and currentClientCertificate', () => {
  it('re-read a token file on every call, as kubelet rotates it', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'first\n');
    expect(await currentToken({ apiServer, tokenFile })).toBe('first');
    await writeFile(tokenFile, 'second\n');
    expect(await currentToken({ apiServer, tokenFile })).toBe('second');
    await expect(currentToken({ apiServer, tokenFile: join(dir, 'missing') })).rejects.toThrow(ConfigError);
    expect(await currentToken({ apiServer, tokenFile: join(dir, 'missing'), token: 'fixed' })).toBe('fixed');
  });

  it("take a credential plugin's answer over the kubeconfig's fixed fields", async () => {
    const exec = { get: async () => ({ token: 'from-plugin', clientCert: 'CERT', clientKey: 'KEY' }) };
    expect(await currentToken({ apiServer, token: 'ignored', exec })).toBe('from-plugin');
    expect(await currentClientCertificate({ apiServer, exec })).toEqual({ cert: 'CERT', key: 'KEY' });
    expect(await currentClientCertificate({ apiServer, clientCert: 'C', clientKey: 'K' })).toEqual({ cert: 'C', key: 'K' });
    expect(await currentClientCertificate({ apiServer })).toEqual({});
  });
});
