import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../config/load.ts';
import { ConfigSchema } from '../../config/schema.ts';
import { ConfigError } from '../../domain/errors.ts';
import { podSecurityProblems } from '../pod-security.ts';
import { validateObjects } from '../validate/index.ts';
import { CONFIG_DIGEST_ANNOTATION, renderSlipwayPart, slipwayPart, type SlipwayPartInput } from './slipway.ts';
import { bootstrapSettings, NamedValues } from './test-fixtures.ts';
import type { BootstrapPart } from './types.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const IMAGE = `registry.lan/slipway/slipway:0.16.0@${DIGEST}`;
const RECEIVER_PATH = `/hook/${'ab'.repeat(32)}`;

function input(overrides: Partial<SlipwayPartInput> = {}, config: Record<string, unknown> = {}): SlipwayPartInput {
  const running = ConfigSchema.parse({
    target: 'cluster',
    git: { gitops: { url: 'https://git.lan/homelab.git', https: { token: { env: 'GITOPS_TOKEN' } } }, source: { url: 'https://git.lan/apps.git' } },
    registry: { host: 'registry.lan' },
    flux: { receiver: { url: 'https://flux-webhook.lan/hook/x', type: 'generic-hmac', token: { env: 'FLUX_TOKEN' } } },
    render: { appsDomain: 'apps.lan' },
    ...config,
  });
  return {
    namespace: 'slipway', image: IMAGE, appsDomain: 'apps.lan', storage: '1Gi', parentRefs: [{ name: 'gateway', namespace: 'gateway' }],
    engine: 'flux', running, receiverPath: RECEIVER_PATH, carried: { 'git-gitops-token': 'the-gitops-token' }, ...overrides,
  };
}

const objects = (part: BootstrapPart) => part.files.flatMap((file) => file.objects);
const find = (part: BootstrapPart, kind: string) => objects(part).find((o) => o.kind === kind) as any;
const asSecret = (part: BootstrapPart) => part.secrets.map(({ secret }) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secret.name, namespace: secret.namespace, labels: secret.labels }, type: secret.type ?? 'Opaque', stringData: secret.stringData }));

describe('Slipway in the cluster (bootstrap part)', () => {
  it('renders a Deployment, PVC, Service, HTTPRoute and ConfigMap that pass the validator, and a Secret', () => {
    const part = renderSlipwayPart(input(), new NamedValues());
    expect(objects(part).map((o) => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual([
      'ConfigMap/slipway/slipway', 'PersistentVolumeClaim/slipway/slipway', 'Deployment/slipway/slipway', 'Service/slipway/slipway', 'HTTPRoute/slipway/slipway',
    ]);
    expect(validateObjects([...objects(part), ...asSecret(part)])).toEqual([]);
    expect(part.secrets.map((s) => s.path)).toEqual(['secrets/slipway-secrets.yaml']);
    expect(find(part, 'PersistentVolumeClaim').spec.resources.requests.storage).toBe('1Gi');
    expect(find(part, 'Service').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    const route = find(part, 'HTTPRoute');
    expect(route.spec.hostnames).toEqual(['slipway.apps.lan']);
    expect(route.spec.parentRefs).toEqual([{ name: 'gateway', namespace: 'gateway' }]);
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'slipway', port: 80 }]);
    expect(renderSlipwayPart(input({ host: 'deploy.example.org' }), new NamedValues()).files.at(-1)!.objects[0]!['spec']).toMatchObject({ hostnames: ['deploy.example.org'] });
  });

  it('runs one pod at a time under the restricted Pod Security Standard, probing /readyz and /healthz, with its own account', () => {
    const deployment = find(renderSlipwayPart(input(), new NamedValues()), 'Deployment');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = deployment.spec.template.spec;
    expect(podSecurityProblems(pod)).toEqual([]);
    const [container] = pod.containers;
    expect(container.image).toBe(IMAGE);
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8420, protocol: 'TCP' }]);
    expect(pod.serviceAccountName).toBe('slipway');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(container.env).toEqual(expect.arrayContaining([{ name: 'SLIPWAY_HOME', value: '/var/lib/slipway' }, { name: 'SLIPWAY_CONFIG', value: '/etc/slipway/slipway.yaml' }]));
    const mounts = Object.fromEntries(container.volumeMounts.map((m: { name: string; mountPath: string }) => [m.name, m.mountPath]));
    expect(mounts).toEqual({ tmp: '/tmp', state: '/var/lib/slipway', config: '/etc/slipway', secrets: '/var/run/secrets/slipway' });
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'tmp', emptyDir: {} }, { name: 'state', persistentVolumeClaim: { claimName: 'slipway' } }]));
    // A misconfigured pod spec is caught by the same check.
    expect(podSecurityProblems({ ...pod, containers: [{ ...container, securityContext: { ...container.securityContext, allowPrivilegeEscalation: true } }] })).toEqual(['container slipway: allowPrivilegeEscalation is not false']);
  });

  it('refuses an image that is not pinned by a digest, saying how to get one', () => {
    for (const image of ['registry.lan/slipway/slipway:0.16.0', 'registry.lan/slipway/slipway:latest@sha256:abc', `registry.lan/slipway/slipway@sha256:${'AB'.repeat(32)}`]) {
      const render = () => renderSlipwayPart(input({ image }), new NamedValues());
      expect(render, image).toThrow(ConfigError);
      expect(render, image).toThrow('bootstrap.slipway.image');
      try {
        render();
      } catch (error) {
        expect((error as ConfigError).hint).toContain('npm run image');
      }
    }
    expect(() => renderSlipwayPart(input({ image: `registry.lan/slipway/slipway@${DIGEST}` }), new NamedValues())).not.toThrow();
  });

  it('is left out without an image, with a note saying how to add it', () => {
    const part = renderSlipwayPart(input({ image: undefined }), new NamedValues());
    expect(part.files).toEqual([]);
    expect(part.secrets).toEqual([]);
    expect(part.notes!.join('\n')).toContain('npm run image');
    expect(part.notes!.join('\n')).toContain('bootstrap.slipway.image');
  });

  it('holds a slipway.yaml Slipway loads in the pod: cluster target, in-cluster access, every address, secrets read from the mounted files', () => {
    const part = renderSlipwayPart(input(), new NamedValues());
    const text = find(part, 'ConfigMap').data['slipway.yaml'] as string;
    const dir = mkdtempSync(join(tmpdir(), 'slipway-incluster-config-'));
    writeFileSync(join(dir, 'slipway.yaml'), text);
    const config = loadConfig({ env: { SLIPWAY_HOME: join(dir, 'home'), SLIPWAY_CONFIG: join(dir, 'slipway.yaml'), SLIPWAY_CACHE: join(dir, 'cache') }, cwd: dir, homedir: dir });
    expect(config.target).toBe('cluster');
    expect(config.kube).toEqual({ inCluster: true });
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8420, tokens: [{ name: 'bootstrap', scope: 'admin', token: { file: '/var/run/secrets/slipway/api-token' } }] });
    expect(config.flux.receiver).toEqual({ url: `http://webhook-receiver.flux-system.svc.cluster.local${RECEIVER_PATH}`, type: 'generic-hmac', token: { file: '/var/run/secrets/slipway/flux-receiver-token' } });
    expect(config.git.gitops).toMatchObject({ url: 'https://git.lan/homelab.git', path: 'kubernetes/apps/dynamic', https: { token: { file: '/var/run/secrets/slipway/git-gitops-token' } } });
    expect(config.registry).toMatchObject({ host: 'registry.lan', repository: 'dynamic-apps' });
    expect(config.render).toEqual({ appsDomain: 'apps.lan' });
    // No secret of this machine is named in it: only files of the mounted Secret.
    expect(text).not.toMatch(/env:/);
    expect(text).not.toContain('the-gitops-token');
    // The source repo's token had no value: it is left out and the person is told.
    expect(config.git.source.https).toBeUndefined();
  });

  it('says what it cannot carry into the cluster: a GitOps repo on this machine, a token without a value, chat and notifications', () => {
    const part = renderSlipwayPart(
      input({ carried: {} }, { git: { gitops: { url: '/srv/git/homelab.git', https: { token: { env: 'T' } } } }, notify: [{ type: 'ntfy', topic: 'deploys' }] }),
      new NamedValues(),
    );
    const notes = part.notes!.join('\n');
    expect(notes).toContain('git.gitops.url is a folder on this machine');
    expect(notes).toContain('git.gitops.https.token had no value to carry');
    expect(notes).toContain('notify: and chat: are not carried');
    const config = parse(find(part, 'ConfigMap').data['slipway.yaml']);
    expect(config.git.gitops).toEqual({ branch: 'main', path: 'kubernetes/apps/dynamic' });
    expect(config.notify).toBeUndefined();
  });

  it('puts the API token, the webhook secret and the carried secrets in slipway-secrets, from the values it is given', () => {
    const values = new NamedValues();
    const [flux] = renderSlipwayPart(input(), values).secrets;
    expect(flux!.secret).toMatchObject({ name: 'slipway-secrets', namespace: 'slipway' });
    expect(flux!.secret.stringData).toEqual({ 'api-token': 'value-of-slipway-api-token', 'flux-receiver-token': 'value-of-flux-receiver-token', 'git-gitops-token': 'the-gitops-token' });
    expect(values.asked).toContainEqual({ name: 'slipway-api-token', bytes: 32 });
    const [argocd] = renderSlipwayPart(input({ engine: 'argocd', registryHost: 'registry.apps.lan' }), values).secrets;
    expect(Object.keys(argocd!.secret.stringData)).toEqual(['api-token', 'argocd-webhook-secret', 'registry-password', 'git-gitops-token']);
    expect(argocd!.secret.stringData['registry-password']).toBe('value-of-registry-password');
  });

  it('pushes to the bootstrap registry with the login mounted from its push Secret', () => {
    const part = renderSlipwayPart(input({ registryHost: 'registry.apps.lan' }), new NamedValues());
    const config = parse(find(part, 'ConfigMap').data['slipway.yaml']);
    expect(config.registry).toEqual({ host: 'registry.apps.lan', repository: 'dynamic-apps', insecure: false, dockerConfig: '/var/run/secrets/slipway-registry/config.json' });
    const pod = find(part, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'registry-login', secret: { secretName: 'slipway-registry-push', defaultMode: 0o440, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } });
    expect(validateObjects(objects(part))).toEqual([]);
  });

  it('is the same for the same settings, and restarts the pod when its slipway.yaml changes', () => {
    const values = new NamedValues();
    const first = renderSlipwayPart(input(), values);
    expect(renderSlipwayPart(input(), values)).toEqual(first);
    const digestOf = (part: BootstrapPart) => find(part, 'Deployment').spec.template.metadata.annotations[CONFIG_DIGEST_ANNOTATION];
    expect(digestOf(first)).toMatch(/^[0-9a-f]{64}$/);
    expect(digestOf(renderSlipwayPart(input({}, { watch: { rollout: 600 } }), values))).not.toBe(digestOf(first));
  });

  it('is made from the bootstrap settings: bootstrap.slipway, the gateway, the receiver path and the registry when it is on', () => {
    const values = new NamedValues();
    expect(slipwayPart(bootstrapSettings(), values).files).toEqual([]);
    const settings = bootstrapSettings({ render: { appsDomain: 'apps.example.com' }, bootstrap: { slipway: { image: IMAGE, storage: '2Gi' }, registry: { enabled: true } } });
    const part = slipwayPart(settings, values);
    expect(find(part, 'HTTPRoute').spec.hostnames).toEqual(['slipway.apps.example.com']);
    expect(find(part, 'PersistentVolumeClaim').spec.resources.requests.storage).toBe('2Gi');
    const config = parse(find(part, 'ConfigMap').data['slipway.yaml']);
    expect(config.flux.receiver.url).toMatch(/^http:\/\/webhook-receiver\.flux-system\.svc\.cluster\.local\/hook\/[0-9a-f]{64}$/);
    expect(config.registry.host).toBe('registry.apps.example.com');
  });
});
