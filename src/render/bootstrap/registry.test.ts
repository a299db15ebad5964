import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
import { htpasswdLine } from './htpasswd.ts';
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

describe('the rendered htpasswd and login with the real registry', () => {
  const values = new NamedValues();
  let registry: RegistryServer;
  let part: BootstrapPart;
  beforeAll(async () => {
    // The host is only known once the registry listens: render a first time for the htpasswd (it does not name the host), then for the login.
    const htpasswd = secretNamed(renderRegistryPart(input(), values), 'registry-htpasswd').stringData['htpasswd']!;
    registry = await startRegistry({ mode: 'tls-basic', htpasswd });
    part = renderRegistryPart(input({ host: registry.host }), values);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  /** A client logging in with a dockerconfigjson as the pod mounts it. */
  function clientWith(dockerConfigJson: string): OciRegistry {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-registry-login-')), 'config.json');
    writeFileSync(file, dockerConfigJson);
    return new OciRegistry({ ca: registry.ca, credentials: new DockerConfigCredentials({ paths: [file] }), retry: { attempts: 1 } });
  }

  it('lets Slipway push with the push login and a node pull with the pull login', async () => {
    const push = clientWith(secretNamed(part, 'slipway-registry-push').stringData['.dockerconfigjson']!);
    const config = Buffer.from('{"os":"linux","architecture":"arm64"}');
    const digest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    const mediaType = 'application/vnd.oci.image.manifest.v1+json';
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length }, layers: [] }));
    await push.pushBlob(registry.host, 'dynamic-apps/notes', { digest, size: config.length, open: () => Readable.from([config]) });
    const pushed = await push.putManifest(registry.host, 'dynamic-apps/notes', '1.0.0', { mediaType, bytes: manifest });
    push.close();
    const pull = clientWith(secretNamed(part, 'registry-pull', 'dynamic-apps').stringData['.dockerconfigjson']!);
    expect((await pull.getManifest(registry.host, 'dynamic-apps/notes', '1.0.0')).digest).toBe(pushed);
    pull.close();
  });

  it('refuses a wrong password and a wrong user', async () => {
    const password = 'value-of-registry-password';
    for (const [user, pass] of [['slipway', `${password.slice(0, -1)}x`], ['admin', password]]) {
      const login = JSON.stringify({ auths: { [registry.host]: { username: user, password: pass } } });
      const client = clientWith(login);
      const error = await client.hasBlob(registry.host, 'dynamic-apps/notes', `sha256:${'0'.repeat(64)}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ status: 401 });
      client.close();
    }
  });

  it('makes an htpasswd line the registry reads for any password, not only its own', () => {
    expect(htpasswdLine('slipway', 'a')).toMatch(/^slipway:\$2b\$05\$/);
    expect(htpasswdLine('slipway', 'a')).toBe(htpasswdLine('slipway', 'a'));
    expect(htpasswdLine('slipway', 'a')).not.toBe(htpasswdLine('other', 'a'));
  });
});
