import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RegistryServer } from '../../../test/support/registry-server.ts';
import { DockerConfigCredentials } from '../../adapters/registry/docker-config.ts';
import { OciRegistry } from '../../adapters/registry/oci-registry.ts';
import { RegistryError } from '../../adapters/registry/registry-error.ts';
import { podSecurityProblems } from '../pod-security.ts';
import { validateObjects } from '../validate/index.ts';
import { registryPart, renderRegistryPart, type RegistryPartInput } from './registry.ts';
import { bootstrapSettings, NamedValues } from './test-fixtures.ts';
import type { BootstrapPart } from './types.ts';

const input = (overrides: Partial<RegistryPartInput> = {}): RegistryPartInput => ({
  namespace: 'slipway', appNamespaces: ['dynamic-apps', 'apps-dev'], appsDomain: 'apps.lan', storage: '10Gi', parentRefs: [{ name: 'gateway', namespace: 'gateway' }], ...overrides,
});
const objects = (part: BootstrapPart) => part.files.flatMap((file) => file.objects);
const find = (part: BootstrapPart, kind: string) => objects(part).find((o) => o.kind === kind) as any;
const secretNamed = (part: BootstrapPart, name: string, namespace = 'slipway') => part.secrets.find((s) => s.secret.name === name && s.secret.namespace === namespace)!.secret;
const asSecrets = (part: BootstrapPart) => part.secrets.map(({ secret }) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret.name, namespace: secret.namespace, labels: secret.labels }, type: secret.type ?? 'Opaque', stringData: secret.stringData }));

describe('the private registry (bootstrap part)', () => {
  it('renders objects and Secrets that pass the validator', () => {
    const part = renderRegistryPart(input(), new NamedValues());
    expect(objects(part).map((o) => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual([
      'PersistentVolumeClaim/slipway/registry', 'Deployment/slipway/registry', 'Service/slipway/registry', 'HTTPRoute/slipway/registry', 'CronJob/slipway/registry-gc',
      'ServiceAccount/dynamic-apps/default', 'ServiceAccount/apps-dev/default',
    ]);
    expect(validateObjects([...objects(part), ...asSecrets(part)])).toEqual([]);
    expect(part.secrets.map((s) => s.path)).toEqual(['secrets/registry-htpasswd.yaml', 'secrets/slipway-registry-push.yaml', 'secrets/registry-pull-dynamic-apps.yaml', 'secrets/registry-pull-apps-dev.yaml']);
    expect(find(part, 'Service').spec.ports).toEqual([{ name: 'http', port: 5000, targetPort: 'http', protocol: 'TCP' }]);
    expect(find(part, 'HTTPRoute').spec).toMatchObject({ hostnames: ['registry.apps.lan'], rules: [{ backendRefs: [{ name: 'registry', port: 5000 }] }] });
    expect(find(renderRegistryPart(input({ host: 'cr.example.org' }), new NamedValues()), 'HTTPRoute').spec.hostnames).toEqual(['cr.example.org']);
    expect(find(part, 'ServiceAccount').imagePullSecrets).toEqual([{ name: 'registry-pull' }]);
  });

  it('runs the registry and its garbage collection under the restricted Pod Security Standard, on one volume and one node', () => {
    const part = renderRegistryPart(input(), new NamedValues());
    const deployment = find(part, 'Deployment');
    const cronJob = find(part, 'CronJob');
    const gcPod = cronJob.spec.jobTemplate.spec.template.spec;
    for (const pod of [deployment.spec.template.spec, gcPod]) {
      expect(podSecurityProblems(pod)).toEqual([]);
      expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true });
      expect(pod.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'registry' } });
      expect(pod.containers[0].image).toBe('docker.io/library/registry:2.8.3');
      expect(pod.containers[0].env).toEqual(expect.arrayContaining([{ name: 'REGISTRY_STORAGE_DELETE_ENABLED', value: 'true' }, { name: 'REGISTRY_AUTH', value: 'htpasswd' }]));
    }
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(gcPod.containers[0].command).toEqual(['registry', 'garbage-collect', '--delete-untagged', '/etc/docker/registry/config.yml']);
    expect(gcPod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: deployment.spec.selector.matchLabels }, topologyKey: 'kubernetes.io/hostname' },
    ]);
    // The Job's pod is not one the registry's Service sends requests to.
    const gcLabels = cronJob.spec.jobTemplate.spec.template.metadata.labels;
    expect(Object.entries(deployment.spec.selector.matchLabels).every(([k, v]) => gcLabels[k] === v)).toBe(false);
    expect(cronJob.spec).toMatchObject({ schedule: '30 3 * * 0', concurrencyPolicy: 'Forbid' });
    expect(find(renderRegistryPart(input({ image: 'registry.lan/mirror/registry:2.8.3' }), new NamedValues()), 'Deployment').spec.template.spec.containers[0].image).toBe('registry.lan/mirror/registry:2.8.3');
  });

  it('gives the same Secrets for the same password (so the encrypted files stay as they are), and new ones for a new password', () => {
    const values = new NamedValues();
    const first = renderRegistryPart(input(), values);
    expect(renderRegistryPart(input(), values)).toEqual(first);
    const other = renderRegistryPart(input(), { get: (name: string) => `another-${name}` });
    expect(secretNamed(other, 'registry-htpasswd').stringData).not.toEqual(secretNamed(first, 'registry-htpasswd').stringData);
    const line = secretNamed(first, 'registry-htpasswd').stringData['htpasswd']!;
    expect(line).toMatch(/^slipway:\$2b\$05\$[./A-Za-z0-9]{53}\n$/);
    expect(line).not.toContain('value-of-registry-password');
  });

  it('writes the pull and push logins as dockerconfigjson for the registry host, with the registry password', () => {
    const values = new NamedValues();
    const part = renderRegistryPart(input(), values);
    const password = 'value-of-registry-password';
    for (const [name, namespace] of [['slipway-registry-push', 'slipway'], ['registry-pull', 'dynamic-apps'], ['registry-pull', 'apps-dev']] as const) {
      const secret = secretNamed(part, name, namespace);
      expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
      expect(JSON.parse(secret.stringData['.dockerconfigjson']!)).toEqual({
        auths: { 'registry.apps.lan': { username: 'slipway', password, auth: Buffer.from(`slipway:${password}`).toString('base64') } },
      });
    }
  });
});

describe('the registry part from the bootstrap settings', () => {
  it('is empty unless the registry is on, and then pulls in every environment\'s namespace', () => {
    expect(registryPart(bootstrapSettings(), new NamedValues())).toEqual({ name: 'registry', files: [], secrets: [] });
    const settings = bootstrapSettings({ render: { appsDomain: 'apps.example.com' }, environments: { dev: {}, prod: {} }, bootstrap: { registry: { enabled: true, storage: '20Gi' } } });
    const part = registryPart(settings, new NamedValues());
    expect(find(part, 'HTTPRoute').spec.hostnames).toEqual(['registry.apps.example.com']);
    expect(find(part, 'PersistentVolumeClaim').spec.resources.requests.storage).toBe('20Gi');
    expect(objects(part).filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata?.namespace)).toEqual(settings.environments.map((env) => env.namespace));
  });
});

describe('the registry as rendered, run for real', () => {
  const values = new NamedValues();
  const dir = mkdtempSync(join(tmpdir(), 'slipway-registry-pod-'));
  /** The pod's paths moved into a temporary folder: the volume, and the htpasswd Secret mounted at /auth. */
  const moved = (env: Array<{ name: string; value?: string }>) =>
    Object.fromEntries(env.map(({ name, value }) => [name, value!.replace(/^\/var\/lib\/registry/, join(dir, 'storage')).replace(/^\/auth\//, `${join(dir, 'auth')}/`)]));
  let registry: RegistryServer;
  let part: BootstrapPart;
  beforeAll(async () => {
    // The host is known once the registry listens: render first for the pod (its environment and htpasswd do not name the host), then for the logins.
    const pod = renderRegistryPart(input(), values);
    mkdirSync(join(dir, 'auth'));
    writeFileSync(join(dir, 'auth', 'htpasswd'), secretNamed(pod, 'registry-htpasswd').stringData['htpasswd']!);
    // Docker Registry reads REGISTRY_* variables over its configuration file, as the image does in the pod.
    registry = await startRegistry({ env: moved(find(pod, 'Deployment').spec.template.spec.containers[0].env) });
    part = renderRegistryPart(input({ host: registry.host }), values);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  /** A client logging in with a dockerconfigjson as the pod mounts it. */
  function clientWith(dockerConfigJson: string): OciRegistry {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-registry-login-')), 'config.json');
    writeFileSync(file, dockerConfigJson);
    return new OciRegistry({ insecureRegistries: [registry.host], credentials: new DockerConfigCredentials({ paths: [file] }), retry: { attempts: 1 } });
  }
  const pushLogin = () => secretNamed(part, 'slipway-registry-push').stringData['.dockerconfigjson']!;

  /** Pushes a one-blob image as `tag`; returns its config blob's and manifest's digests. */
  async function pushImage(client: OciRegistry, tag: string, architecture: string): Promise<{ blob: string; manifest: string }> {
    const config = Buffer.from(JSON.stringify({ os: 'linux', architecture }));
    const blob = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    const mediaType = 'application/vnd.oci.image.manifest.v1+json';
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob, size: config.length }, layers: [] }));
    await client.pushBlob(registry.host, 'dynamic-apps/notes', { digest: blob, size: config.length, open: () => Readable.from([config]) });
    return { blob, manifest: await client.putManifest(registry.host, 'dynamic-apps/notes', tag, { mediaType, bytes: manifest }) };
  }

  it('lets Slipway push with the push login and a node pull with the pull login', async () => {
    const push = clientWith(pushLogin());
    const { manifest } = await pushImage(push, '1.0.0', 'arm64');
    push.close();
    const pull = clientWith(secretNamed(part, 'registry-pull', 'dynamic-apps').stringData['.dockerconfigjson']!);
    expect((await pull.getManifest(registry.host, 'dynamic-apps/notes', '1.0.0')).digest).toBe(manifest);
    pull.close();
  });

  it('refuses no login, a wrong password and a wrong user', async () => {
    const anonymous = await fetch(`${registry.url}/v2/`);
    expect(anonymous.status).toBe(401);
    const password = 'value-of-registry-password';
    for (const [user, pass] of [['slipway', `${password.slice(0, -1)}x`], ['admin', password]]) {
      const client = clientWith(JSON.stringify({ auths: { [registry.host]: { username: user, password: pass } } }));
      const error = await client.hasBlob(registry.host, 'dynamic-apps/notes', `sha256:${'0'.repeat(64)}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ status: 401 });
      client.close();
    }
  });

  it('takes the manifest deletes slipway gc makes through the API', async () => {
    const push = clientWith(pushLogin());
    const { manifest } = await pushImage(push, 'to-delete', 's390x');
    expect(await push.deleteManifest(registry.host, 'dynamic-apps/notes', manifest)).toBe(true);
    expect(await push.listTags(registry.host, 'dynamic-apps/notes')).not.toContain('to-delete');
    push.close();
  });

  it("runs the CronJob's garbage collection: a manifest no tag names, and its blobs, are deleted", async () => {
    const push = clientWith(pushLogin());
    const old = await pushImage(push, 'latest', 'amd64');
    const current = await pushImage(push, 'latest', 'riscv64');
    const container = find(part, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0];
    const [command, ...args] = container.command as string[];
    expect(command).toBe('registry');
    // Debian names the registry's binary docker-registry; the configuration file is the registry's own, moved.
    const gc = spawnSync('docker-registry', [...args.slice(0, -1), registry.configPath], { env: { ...process.env, ...moved(container.env) }, encoding: 'utf8' });
    expect(gc.status, gc.stderr).toBe(0);
    // Restarted, so no cache answers for what is gone from the volume.
    await registry.restart();
    expect(await push.hasBlob(registry.host, 'dynamic-apps/notes', old.blob)).toBe(false);
    expect(await push.hasBlob(registry.host, 'dynamic-apps/notes', current.blob)).toBe(true);
    expect((await push.getManifest(registry.host, 'dynamic-apps/notes', 'latest')).digest).toBe(current.manifest);
    push.close();
  });
});
