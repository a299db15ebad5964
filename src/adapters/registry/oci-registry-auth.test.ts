import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RegistryServer } from '../../../test/support/registry-server.ts';
import type { BlobSource } from '../../ports/image-registry.ts';
import type { CredentialStore, RegistryCredentials } from './docker-config.ts';
import { OciRegistry, type RegistryLogger } from './oci-registry.ts';
import { RegistryError } from './registry-error.ts';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const blobOf = (bytes: Buffer): BlobSource => ({ digest: sha256(bytes), size: bytes.length, open: () => Readable.from([bytes]) });
const store = (host: string, credentials: RegistryCredentials): CredentialStore => ({ get: async (registry) => (registry === host ? credentials : undefined) });

/** Every log record the client wrote, flattened to text, to prove no secret reaches the log. */
function recordingLogger(): RegistryLogger & { text: () => string; statuses: () => number[] } {
  const records: object[] = [];
  return {
    debug: (object, message) => records.push({ ...object, message }),
    warn: (object, message) => records.push({ ...object, message }),
    text: () => JSON.stringify(records),
    statuses: () => records.map((r) => (r as { status?: number }).status ?? 0),
  };
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
function manifestFor(config: Buffer): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length }, layers: [] }));
}

describe('Basic auth over TLS with a self-signed CA', () => {
  let registry: RegistryServer;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'tls-basic' });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes and pulls once the CA is trusted, answering one challenge and then sending credentials up front', async () => {
    const log = recordingLogger();
    const oci = new OciRegistry({ ca: registry.ca, credentials: store(registry.host, { username: registry.username!, password: registry.password! }), logger: log });
    const config = Buffer.from('{"os":"linux","architecture":"arm64"}');
    expect(await oci.pushBlob(registry.host, 'tests/tls', blobOf(config))).toMatchObject({ uploaded: true });
    const digest = await oci.putManifest(registry.host, 'tests/tls', 'v1', { mediaType: OCI_MANIFEST, bytes: manifestFor(config) });
    expect((await oci.getManifest(registry.host, 'tests/tls', 'v1')).digest).toBe(digest);
    expect(log.statuses().filter((status) => status === 401)).toHaveLength(1);
    expect(log.text()).not.toContain(registry.password);
    oci.close();
  });

  it('names a wrong password as a 401 with a hint about config.json, never showing the password', async () => {
    const log = recordingLogger();
    const password = 'wrong-horse-battery';
    const oci = new OciRegistry({ ca: registry.ca, credentials: store(registry.host, { username: 'slipway', password }), logger: log });
    const error = (await oci.hasBlob(registry.host, 'tests/tls', sha256(Buffer.from('x'))).catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ service: 'registry', status: 401, retryable: false });
    expect(error.hint).toBe(`Check the credentials in your Docker config.json for ${registry.host} (docker login ${registry.host}).`);
    const everything = `${error.message} ${error.hint} ${error.stack} ${JSON.stringify(error)} ${log.text()}`;
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(Buffer.from(`slipway:${password}`).toString('base64'));

    const anonymous = await new OciRegistry({ ca: registry.ca }).getManifest(registry.host, 'tests/tls', 'v1').catch((e: unknown) => e);
    expect(anonymous).toMatchObject({ status: 401, hint: expect.stringMatching(/No credentials for 127\.0\.0\.1:\d+ were found/) });
  });

  it('explains an untrusted certificate instead of retrying it', async () => {
    const error = (await new OciRegistry({ retry: { attempts: 3, baseDelayMs: 1 } }).hasBlob(registry.host, 'tests/tls', sha256(Buffer.from('x'))).catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`https://${registry.host}/v2/tests/tls/blobs/`);
    expect(error.hint).toMatch(/certificate of 127\.0\.0\.1:\d+ is not trusted/);
  });
});

describe('Bearer token auth', () => {
  let registry: RegistryServer;
  /** `builder` may pull tests/base, push tests/target, and nothing else; 'slipway' may do anything. */
  const grant = (user: string, repository: string, requested: string[]) => {
    if (user !== 'builder') return requested;
    if (repository === 'tests/base') return requested.filter((action) => action === 'pull');
    if (repository === 'tests/target') return requested;
    return [];
  };
  const users = { slipway: 'token-pass', builder: 'builder-pass' };
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token', users, grant, refreshTokens: { 'refresh-123': 'slipway' } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('fetches a token for pull,push with service and scope, and reuses it for the same scopes', async () => {
    const oci = new OciRegistry({ insecureRegistries: [registry.host], credentials: store(registry.host, { username: 'slipway', password: users.slipway }) });
    const before = registry.tokenRequests.length;
    const config = Buffer.from('{"os":"linux","architecture":"amd64"}');
    await oci.pushBlob(registry.host, 'tests/token', blobOf(config));
    await oci.putManifest(registry.host, 'tests/token', 'v1', { mediaType: OCI_MANIFEST, bytes: manifestFor(config) });
    await oci.pushBlob(registry.host, 'tests/token', blobOf(Buffer.from('second blob')));
    const asked = registry.tokenRequests.slice(before);
    expect(asked[0]).toEqual({ user: 'slipway', service: 'slipway-test-registry', scopes: ['repository:tests/token:pull,push'] });
    expect(asked).toHaveLength(1);
    expect((await oci.getManifest(registry.host, 'tests/token', 'v1')).mediaType).toBe(OCI_MANIFEST);
    expect(registry.tokenRequests.slice(before).map((r) => r.scopes)).toEqual([['repository:tests/token:pull,push'], ['repository:tests/token:pull']]);
  });

  it('asks for one token when several layers are pushed at once', async () => {
    const oci = new OciRegistry({ insecureRegistries: [registry.host], credentials: store(registry.host, { username: 'slipway', password: users.slipway }) });
    const before = registry.tokenRequests.length;
    const blobs = Array.from({ length: 5 }, () => blobOf(randomBytes(512)));
    const results = await Promise.all(blobs.map((blob) => oci.pushBlob(registry.host, 'tests/parallel', blob)));
    expect(results.every((r) => r.uploaded)).toBe(true);
    expect(registry.tokenRequests.slice(before)).toHaveLength(1);
  });

  it('mounts with one token holding pull on the source and pull,push on the target', async () => {
    const admin = new OciRegistry({ insecureRegistries: [registry.host], credentials: store(registry.host, { username: 'slipway', password: users.slipway }) });
    const blob = blobOf(randomBytes(4096));
    await admin.pushBlob(registry.host, 'tests/base', blob);
    await admin.pushBlob(registry.host, 'tests/private', blobOf(Buffer.from('private layer')));

    const builder = new OciRegistry({ insecureRegistries: [registry.host], credentials: store(registry.host, { username: 'builder', password: users.builder }) });
    const before = registry.tokenRequests.length;
    expect(await builder.pushBlob(registry.host, 'tests/target', blob, { mountFrom: 'tests/base' })).toEqual({ uploaded: false, mounted: true, bytes: 0 });
    expect(registry.tokenRequests.slice(before)).toEqual([
      { user: 'builder', service: 'slipway-test-registry', scopes: ['repository:tests/base:pull', 'repository:tests/target:pull,push'] },
    ]);
    // Pushing where it may only pull is refused with the registry's own words.
    const refused = (await builder.pushBlob(registry.host, 'tests/base', blobOf(Buffer.from('nope'))).catch((e: unknown) => e)) as RegistryError;
    expect(refused).toMatchObject({ status: 401, codes: ['UNAUTHORIZED'] });
  });

  it('falls back to a plain upload when the mount source may not be read', async () => {
    const builder = new OciRegistry({ insecureRegistries: [registry.host], credentials: store(registry.host, { username: 'builder', password: users.builder }) });
    const bytes = Buffer.from('private layer');
    expect(await builder.pushBlob(registry.host, 'tests/target', blobOf(bytes), { mountFrom: 'tests/private' })).toEqual({ uploaded: true, mounted: false, bytes: bytes.length });
  });

  it('fetches a fresh token with the wider scope after insufficient_scope, once', async () => {
    let firstAsk = true;
    const stingy = await startRegistry({
      mode: 'token',
      // The first token leaves out push, as a token service with stale permissions would.
      grant: (_user, _repository, requested) => (firstAsk ? ((firstAsk = false), requested.filter((a) => a === 'pull')) : requested),
    });
    try {
      const oci = new OciRegistry({ insecureRegistries: [stingy.host], credentials: store(stingy.host, { username: stingy.username!, password: stingy.password! }) });
      expect(await oci.pushBlob(stingy.host, 'tests/scope', blobOf(Buffer.from('scoped')))).toMatchObject({ uploaded: true });
      expect(stingy.tokenRequests.map((r) => r.scopes)).toEqual([['repository:tests/scope:pull,push'], ['repository:tests/scope:pull,push']]);
    } finally {
      await stingy.stop();
    }
  });

  it('accepts access_token answers, and exchanges an identity token with the OAuth2 POST', async () => {
    const oauth = await startRegistry({ mode: 'token', accessTokenOnly: true, refreshTokens: { 'refresh-xyz': 'slipway' } });
    try {
      const withPassword = new OciRegistry({ insecureRegistries: [oauth.host], credentials: store(oauth.host, { username: oauth.username!, password: oauth.password! }) });
      expect(await withPassword.pushBlob(oauth.host, 'tests/oauth', blobOf(Buffer.from('a')))).toMatchObject({ uploaded: true });
      const withIdentity = new OciRegistry({ insecureRegistries: [oauth.host], credentials: store(oauth.host, { identityToken: 'refresh-xyz' }) });
      expect(await withIdentity.pushBlob(oauth.host, 'tests/oauth', blobOf(Buffer.from('b')))).toMatchObject({ uploaded: true });
      const bad = new OciRegistry({ insecureRegistries: [oauth.host], credentials: store(oauth.host, { identityToken: 'revoked' }) });
      await expect(bad.hasBlob(oauth.host, 'tests/oauth', sha256(Buffer.from('a')))).rejects.toMatchObject({ status: 401 });
    } finally {
      await oauth.stop();
    }
  });

  it('reports a wrong password at the token service as a 401 without the password', async () => {
    const password = 'not-the-password';
    const oci = new OciRegistry({ insecureRegistries: [registry.host], credentials: store(registry.host, { username: 'slipway', password }) });
    const error = (await oci.getManifest(registry.host, 'tests/token', 'v1').catch((e: unknown) => e)) as RegistryError;
    expect(error).toMatchObject({ status: 401, hint: expect.stringContaining('Docker config.json') });
    expect(`${error.message} ${error.hint} ${JSON.stringify(error)}`).not.toContain(password);
  });
});
