import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.ts';
import { defaultDockerConfigPaths, DockerConfigCredentials } from './docker-config.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-docker-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('DockerConfigCredentials', () => {
  it('reads auth (base64 user:pass, passwords with colons), username/password and identitytoken entries', async () => {
    const path = await file('config.json', JSON.stringify({
      auths: {
        'registry.k8s-lab.dev': { auth: b64('ci:pa:ss') },
        '127.0.0.1:5000': { username: 'local', password: 'secret' },
        'ghcr.example': { auth: b64('x:y'), identitytoken: 'refresh-me' },
        'empty.example': {},
      },
      credHelpers: { 'other.example': 'pass' },
    }));
    const store = new DockerConfigCredentials({ paths: [path] });
    expect(await store.get('registry.k8s-lab.dev')).toEqual({ username: 'ci', password: 'pa:ss' });
    expect(await store.get('127.0.0.1:5000')).toEqual({ username: 'local', password: 'secret' });
    expect(await store.get('ghcr.example')).toEqual({ identityToken: 'refresh-me' });
    expect(await store.get('empty.example')).toBeUndefined();
    expect(await store.get('unknown.example')).toBeUndefined();
  });

  it('matches https://host/v1/ style keys and Docker Hub aliases', async () => {
    const path = await file('hub.json', JSON.stringify({
      auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') }, 'https://Registry.Example:8443/v2/': { auth: b64('r:pw') } },
    }));
    const store = new DockerConfigCredentials({ paths: [path] });
    expect(await store.get('registry-1.docker.io')).toEqual({ username: 'hub', password: 'pw' });
    expect(await store.get('docker.io')).toEqual({ username: 'hub', password: 'pw' });
    expect(await store.get('registry.example:8443')).toEqual({ username: 'r', password: 'pw' });
  });

  it('reads a Kubernetes dockerconfigjson Secret in YAML (data, base64) and JSON (stringData)', async () => {
    const inner = JSON.stringify({ auths: { 'registry.k8s-lab.dev': { auth: b64('flux:from-secret') } } });
    const yamlPath = await file('regcred.yaml', [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: regcred',
      'type: kubernetes.io/dockerconfigjson',
      'data:',
      `  .dockerconfigjson: ${b64(inner)}`,
      '',
    ].join('\n'));
    expect(await new DockerConfigCredentials({ paths: [yamlPath] }).get('registry.k8s-lab.dev')).toEqual({ username: 'flux', password: 'from-secret' });
    const jsonPath = await file('regcred.json', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', stringData: { '.dockerconfigjson': inner } }));
    expect(await new DockerConfigCredentials({ paths: [jsonPath] }).get('registry.k8s-lab.dev')).toEqual({ username: 'flux', password: 'from-secret' });
  });

  it('reads the raw .dockerconfigjson content', async () => {
    const path = await file('.dockerconfigjson', JSON.stringify({ auths: { 'r.example': { username: 'u', password: 'p' } } }));
    expect(await new DockerConfigCredentials({ paths: [path] }).get('r.example')).toEqual({ username: 'u', password: 'p' });
  });

  it('skips missing files and lets the first file with an entry win', async () => {
    const first = await file('first.json', JSON.stringify({ auths: { 'a.example': { auth: b64('first:1') } } }));
    const second = await file('second.json', JSON.stringify({ auths: { 'a.example': { auth: b64('second:2') }, 'b.example': { auth: b64('second:3') } } }));
    const store = new DockerConfigCredentials({ paths: [join(dir, 'missing.json'), first, second] });
    expect(await store.get('a.example')).toEqual({ username: 'first', password: '1' });
    expect(await store.get('b.example')).toEqual({ username: 'second', password: '3' });
  });

  it('says which file is broken, without its content', async () => {
    const broken = await file('broken.json', '{"auths": {"x": {"auth": "c2VjcmV0OnB3"}');
    const error = await new DockerConfigCredentials({ paths: [broken] }).get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(broken);
    expect((error as Error).message).not.toContain('c2VjcmV0OnB3');
    const secret = await file('no-config.yaml', 'kind: Secret\ndata: {}\n');
    await expect(new DockerConfigCredentials({ paths: [secret] }).get('x')).rejects.toThrow(/no \.dockerconfigjson/);
  });
});

describe('defaultDockerConfigPaths', () => {
  it('lists DOCKER_CONFIG, ~/.docker and the podman auth files in order', () => {
    expect(defaultDockerConfigPaths({}, '/home/u')).toEqual(['/home/u/.docker/config.json']);
    expect(defaultDockerConfigPaths({ DOCKER_CONFIG: '/etc/docker-cfg', REGISTRY_AUTH_FILE: '/run/auth.json', XDG_RUNTIME_DIR: '/run/user/1000' }, '/home/u')).toEqual([
      '/etc/docker-cfg/config.json', '/home/u/.docker/config.json', '/run/auth.json', '/run/user/1000/containers/auth.json',
    ]);
  });
});
