import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from '../../domain/errors.ts';
import { kubeFixture, startKubeApiServer, type KubeApiServer } from '../../../test/support/kube-api-server.ts';
import { createSelfSignedCertificate } from '../../../test/support/tls.ts';
import { kubeAccessFromKubeconfig, kubeAccessFromKubeconfigs, kubeAccessInCluster } from './kube-access.ts';
import { KubeApiError, KubeClient, kubePath } from '../watcher/index.ts';

const DEPLOYMENT = kubePath('apps/v1', 'deployments', 'dynamic-apps', 'pomodoro');
const b64 = (text: string) => Buffer.from(text).toString('base64');
let dir: string;
const servers: KubeApiServer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-kubeaccess-'));
});

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  await rm(dir, { recursive: true, force: true });
});

async function server(options: Parameters<typeof startKubeApiServer>[0] = {}): Promise<KubeApiServer> {
  const kube = await startKubeApiServer(options);
  servers.push(kube);
  kube.put(kubeFixture('deployment-available'));
  return kube;
}

function kubeconfig(server: string, users: Record<string, Record<string, unknown>>, cluster: Record<string, unknown>, current = Object.keys(users)[0]): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lab', cluster: { server, ...cluster } }],
    contexts: Object.keys(users).map((name) => ({ name, context: { cluster: 'lab', user: name, ...(name === 'ops' ? { namespace: 'dynamic-apps' } : {}) } })),
    users: Object.entries(users).map(([name, user]) => ({ name, user })),
    'current-context': current,
  });
}

describe('kubeAccessFromKubeconfig', () => {
  it('reads a k3s-style client certificate user and talks to the API server with it', async () => {
    const client = await createSelfSignedCertificate(dir, 'slipway-client', ['DNS:slipway']);
    const kube = await server({ clientCa: client.cert });
    const text = kubeconfig(kube.url, { default: { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.key) } }, { 'certificate-authority-data': b64(kube.ca!) });

    const access = kubeAccessFromKubeconfig(text);

    expect(access).toEqual({ apiServer: kube.url, ca: kube.ca, clientCert: client.cert, clientKey: client.key });
    const read = await new KubeClient(access).read<{ metadata: { name: string } }>(DEPLOYMENT);
    expect(read.status === 'found' && read.object.metadata.name).toBe('pomodoro');
    const anonymous = await new KubeClient({ apiServer: kube.url, ca: kube.ca! }).read(DEPLOYMENT).catch((e: unknown) => e);
    expect(anonymous).toMatchObject({ status: 401, reason: 'Unauthorized', transient: false });
  });

  it('picks the named context, its namespace and token, and reads file references relative to the kubeconfig', async () => {
    const kube = await server();
    await writeFile(join(dir, 'lab-ca.crt'), kube.ca!);
    const text = kubeconfig(kube.url, { default: { token: 'nope' }, ops: { token: kube.token } }, { 'certificate-authority': 'lab-ca.crt' });

    const access = kubeAccessFromKubeconfig(text, 'ops', { baseDir: dir });

    expect(access).toEqual({ apiServer: kube.url, ca: kube.ca, token: kube.token, namespace: 'dynamic-apps' });
    expect((await new KubeClient(access).read(DEPLOYMENT)).status).toBe('found');
  });

  it('refuses auth providers, unknown contexts and users without credentials, saying what to do', () => {
    const provider = kubeconfig('https://127.0.0.1:6443', { cloud: { 'auth-provider': { name: 'gcp' } } }, {});
    expect(() => kubeAccessFromKubeconfig(provider)).toThrow(ConfigError);
    expect(() => kubeAccessFromKubeconfig(provider)).toThrow(/auth-provider, which Slipway does not support/);
    expect(() => kubeAccessFromKubeconfig(provider, 'prod')).toThrow('the kubeconfig has no context "prod"');
    const bare = kubeconfig('https://127.0.0.1:6443', { nobody: {} }, {});
    expect(() => kubeAccessFromKubeconfig(bare)).toThrow(/has no token or client certificate/);
    expect(() => kubeAccessFromKubeconfig('clusters: [')).toThrow(/not valid YAML/);
  });
});

describe('kubeAccessFromKubeconfigs', () => {
  async function file(name: string, doc: Record<string, unknown>): Promise<{ path: string; text: string }> {
    const path = join(dir, name);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, stringify(doc));
    return { path, text: await readFile(path, 'utf8') };
  }

  it('merges files as kubectl does: current-context and each name from the first file that has it, references relative to their own file', async () => {
    const kube = await server();
    await mkdir(join(dir, 'b'));
    await writeFile(join(dir, 'b', 'lab-ca.crt'), kube.ca!);
    await writeFile(join(dir, 'b', 'ops.token'), `${kube.token}\n`);
    const first = await file('a/config', {
      'current-context': 'ops',
      users: [{ name: 'ops', user: { tokenFile: '../b/ops.token' } }],
      contexts: [{ name: 'ops', context: { cluster: 'lab', user: 'ops', namespace: 'dynamic-apps' } }],
    });
    const second = await file('b/config', {
      'current-context': 'other',
      clusters: [{ name: 'lab', cluster: { server: kube.url, 'certificate-authority': 'lab-ca.crt' } }],
      users: [{ name: 'ops', user: { token: 'not-this-one' } }],
      contexts: [{ name: 'ops', context: { cluster: 'lab', user: 'nobody' } }, { name: 'other', context: { cluster: 'lab', user: 'ops' } }],
    });

    const access = kubeAccessFromKubeconfigs([first, second]);

    expect(access).toEqual({ apiServer: kube.url, ca: kube.ca, tokenFile: join(dir, 'b', 'ops.token'), namespace: 'dynamic-apps' });
    expect((await new KubeClient(access).read(DEPLOYMENT)).status).toBe('found');
    // In the other order the second file's entries win, and its current-context is taken.
    expect(kubeAccessFromKubeconfigs([second, first])).toMatchObject({ token: 'not-this-one' });
    expect(() => kubeAccessFromKubeconfigs([second, first], 'ops')).toThrow(/user "nobody" has no token/);
  });

  it('gets a token from an exec credential plugin and talks to the API server with it', async () => {
    const kube = await server();
    const plugin = join(dir, 'bin', 'lab-token');
    await mkdir(join(dir, 'bin'));
    await writeFile(plugin, `#!/bin/sh\necho "$LAB_ARG $1" >> "${join(dir, 'calls')}"\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$LAB_TOKEN"\n`);
    await chmod(plugin, 0o755);
    const config = await file('config', {
      'current-context': 'lab',
      clusters: [{ name: 'lab', cluster: { server: kube.url, 'certificate-authority-data': b64(kube.ca!) } }],
      users: [{ name: 'exec', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/lab-token', args: ['--cluster=lab'], env: [{ name: 'LAB_TOKEN', value: kube.token }], interactiveMode: 'Never' } } }],
      contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'exec' } }],
    });

    const access = kubeAccessFromKubeconfigs([config], undefined, { env: { PATH: '/usr/bin:/bin', LAB_ARG: 'from-env' } });
    const client = new KubeClient(access);

    expect(access.token).toBeUndefined();
    expect((await client.read(DEPLOYMENT)).status).toBe('found');
    expect((await client.read(DEPLOYMENT)).status).toBe('found');
    // One run of the plugin: an answer without expirationTimestamp is kept for the whole run.
    expect(await readFile(join(dir, 'calls'), 'utf8')).toBe('from-env --cluster=lab\n');
  });
});

describe('kubeAccessInCluster', () => {
  it("uses the service account's CA, namespace and token file (re-read, as it rotates)", async () => {
    const kube = await server();
    await writeFile(join(dir, 'token'), `${kube.token}\n`);
    await writeFile(join(dir, 'ca.crt'), kube.ca!);
    await writeFile(join(dir, 'namespace'), 'slipway');
    const port = new URL(kube.url).port;

    const access = await kubeAccessInCluster({ host: '127.0.0.1', port, dir });

    expect(access).toEqual({ apiServer: kube.url, tokenFile: join(dir, 'token'), ca: kube.ca, namespace: 'slipway' });
    expect((await new KubeClient(access).read(DEPLOYMENT)).status).toBe('found');
    expect((await kubeAccessInCluster({ host: 'fd00::1', port: 443, dir })).apiServer).toBe('https://[fd00::1]:443');
  });

  it('says so outside a pod or without a mounted token', async () => {
    await expect(kubeAccessInCluster({ dir })).rejects.toThrow(/not running inside a Kubernetes pod/);
    await expect(kubeAccessInCluster({ host: '10.43.0.1', port: 443, dir })).rejects.toThrow(/cannot read the service account's ca.crt/);
  });

  it('names the first file missing, in the same order every time', async () => {
    await writeFile(join(dir, 'ca.crt'), 'ca');
    await expect(kubeAccessInCluster({ host: '10.43.0.1', port: 443, dir })).rejects.toThrow(/cannot read the service account's namespace/);
    await writeFile(join(dir, 'namespace'), 'slipway');
    await expect(kubeAccessInCluster({ host: '10.43.0.1', port: 443, dir })).rejects.toThrow(/cannot read the service account's token/);
  });
});

describe('KubeClient', () => {
  it('tells an untrusted certificate from an unreachable server', async () => {
    const kube = await server();
    const untrusted = await new KubeClient({ apiServer: kube.url, token: kube.token }).read(DEPLOYMENT).catch((e: unknown) => e);
    expect(untrusted).toBeInstanceOf(KubeApiError);
    expect(untrusted).toMatchObject({ reason: 'TLSError', transient: false });
    await kube.stop();
    servers.length = 0;
    const down = await new KubeClient({ apiServer: kube.url, token: kube.token, ca: kube.ca! }).read(DEPLOYMENT).catch((e: unknown) => e);
    expect(down).toMatchObject({ reason: 'Unreachable', transient: true });
  });

  it('tells a missing object from an API version the server does not serve', async () => {
    const kube = await server({ servedVersions: { 'source.toolkit.fluxcd.io': ['v1beta2'] } });
    const client = new KubeClient({ apiServer: kube.url, token: kube.token, ca: kube.ca! });
    expect(await client.read(kubePath('apps/v1', 'deployments', 'dynamic-apps', 'other'))).toEqual({ status: 'absent' });
    expect(await client.read(kubePath('source.toolkit.fluxcd.io/v1', 'gitrepositories', 'flux-system', 'flux-system'))).toEqual({ status: 'unserved' });
  });
});
