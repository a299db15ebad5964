import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRegistry, type RegistryServer } from '../../../test/support/registry-server.ts';
import { ConfigError } from '../../domain/errors.ts';
import { DockerConfigCredentials } from './docker-config.ts';
import { OciRegistry } from './oci-registry.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-credhelper-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A real `docker-credential-<name>` program in `dir`, which is the PATH the credentials are given. */
async function helper(name: string, body: string): Promise<void> {
  const path = join(dir, `docker-credential-${name}`);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

async function dockerConfig(doc: Record<string, unknown>): Promise<string> {
  const path = join(dir, 'config.json');
  await writeFile(path, JSON.stringify(doc));
  return path;
}

const env = () => ({ PATH: `${dir}:/usr/bin:/bin` });

describe('Docker credential helpers against a registry with htpasswd auth', () => {
  let registry: RegistryServer;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'tls-basic' });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it("pushes with the login a credHelpers entry's helper gives, asked with get and the host on stdin", async () => {
    await helper('lab', [
      `read server; echo "$1 $server" >> "${dir}/asked"`,
      `[ "$server" = "${registry.host}" ] || { echo "credentials not found in native keychain"; exit 1; }`,
      `printf '{"ServerURL":"%s","Username":"${registry.username}","Secret":"${registry.password}"}' "$server"`,
    ].join('\n'));
    const paths = [await dockerConfig({ credHelpers: { [registry.host]: 'lab' }, auths: { [registry.host]: { auth: Buffer.from('wrong:login').toString('base64') } } })];
    const credentials = new DockerConfigCredentials({ paths, env: env() });
    const oci = new OciRegistry({ ca: registry.ca, credentials });

    const bytes = Buffer.from(`layer ${Date.now()}`);
    const blob = { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, open: () => Readable.from([bytes]) };
    expect(await oci.pushBlob(registry.host, 'tests/helper', blob)).toMatchObject({ uploaded: true });
    expect(await oci.hasBlob(registry.host, 'tests/helper', blob.digest)).toBe(true);
    oci.close();
    // Asked once for the registry, however many requests the push made.
    expect(await readFile(join(dir, 'asked'), 'utf8')).toBe(`get ${registry.host}\n`);
  });

  it('is refused by the registry when the helper gives a wrong password, which never shows in the error', async () => {
    await helper('stale', `printf '{"Username":"${registry.username}","Secret":"stale-s3cret"}'`);
    const credentials = new DockerConfigCredentials({ paths: [await dockerConfig({ credsStore: 'stale' })], env: env() });
    const oci = new OciRegistry({ ca: registry.ca, credentials });
    const error = (await oci.hasBlob(registry.host, 'tests/helper', `sha256:${'0'.repeat(64)}`).catch((e: unknown) => e)) as Error;
    oci.close();
    expect(error).toMatchObject({ status: 401 });
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('stale-s3cret');
  });
});

describe('DockerConfigCredentials with helpers', () => {
  it('uses credsStore for hosts without their own helper, and falls back to auths when the helper has nothing', async () => {
    await helper('store', 'read server\ncase "$server" in\n  registry.lab) printf \'{"Username":"<token>","Secret":"refresh-token"}\' ;;\n  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac');
    await helper('hub', 'read server\nprintf \'{"Username":"hubuser","Secret":"%s"}\' "$server"');
    const paths = [await dockerConfig({
      credsStore: 'store',
      credHelpers: { 'docker.io': 'hub' },
      auths: { 'other.lab': { auth: Buffer.from('ci:pw').toString('base64') } },
    })];
    const credentials = new DockerConfigCredentials({ paths, env: env() });

    expect(await credentials.get('registry.lab')).toEqual({ identityToken: 'refresh-token' });
    expect(await credentials.get('other.lab')).toEqual({ username: 'ci', password: 'pw' });
    expect(await credentials.get('nowhere.lab')).toBeUndefined();
    // Docker Hub is asked about under the address docker login stores it with.
    expect(await credentials.get('registry-1.docker.io')).toEqual({ username: 'hubuser', password: 'https://index.docker.io/v1/' });
  });

  it('names the helper when it fails or is missing, never quoting its output', async () => {
    await helper('broken', 'echo \'{"Username":"u","Secret":"leaked-s3cret"}\'\necho "keychain locked" >&2\nexit 2');
    const failing = new DockerConfigCredentials({ paths: [await dockerConfig({ credsStore: 'broken' })], env: env() });
    const error = (await failing.get('registry.lab').catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('docker-credential-broken get for registry.lab failed (exit code 2): keychain locked');
    expect(`${error.message} ${error.hint}`).not.toContain('leaked-s3cret');

    const missing = new DockerConfigCredentials({ paths: [await dockerConfig({ credsStore: 'absent' })], env: env() });
    await expect(missing.get('registry.lab')).rejects.toThrow('The Docker config names the credential helper absent, but docker-credential-absent is not on PATH');

    const pathy = new DockerConfigCredentials({ paths: [await dockerConfig({ credsStore: '../../bin/sh' })], env: env() });
    await expect(pathy.get('registry.lab')).rejects.toThrow(/is not a helper name/);
  });
});
