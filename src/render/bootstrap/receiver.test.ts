import { describe, expect, it } from 'vitest';
import { validateObjects } from '../validate/index.ts';
import { fluxReceiverPath, receiverPart } from './receiver.ts';
import { ARGOCD_CONFIG, bootstrapSettings, NamedValues } from './test-fixtures.ts';
import type { KubeObject } from '../types.ts';

const objectsOf = (part: ReturnType<typeof receiverPart>) => part.files.flatMap((file) => file.objects);
const find = (objects: KubeObject[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name)) as Record<string, any>;

describe('receiverPart (Flux)', () => {
  it('writes a github Receiver for the GitOps GitRepository, valid against the Receiver CRD, with its token as a Secret to encrypt', () => {
    const values = new NamedValues();
    const part = receiverPart(bootstrapSettings(), values);
    const objects = objectsOf(part);
    expect(validateObjects(objects)).toEqual([]);
    const receiver = find(objects, 'Receiver');
    expect(receiver.apiVersion).toBe('notification.toolkit.fluxcd.io/v1');
    expect(receiver.metadata).toMatchObject({ name: 'slipway', namespace: 'flux-system' });
    expect(receiver.spec).toEqual({
      type: 'github',
      events: ['ping', 'push'],
      secretRef: { name: 'slipway-receiver-token' },
      resources: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' }],
    });
    expect(part.secrets).toEqual([
      expect.objectContaining({ path: 'secrets/slipway-receiver-token.yaml', secret: expect.objectContaining({ name: 'slipway-receiver-token', namespace: 'flux-system', stringData: { token: 'value-of-flux-receiver-token' } }) }),
    ]);
    expect(values.asked.every((a) => a.name === 'flux-receiver-token' && a.bytes === 32)).toBe(true);
  });

  it('follows flux: namespace, gitRepository and receiver type; generic-hmac has no event names', () => {
    const settings = bootstrapSettings({ flux: { namespace: 'gitops', gitRepository: 'homelab', receiver: { url: 'https://flux.example.com/hook/x', type: 'generic-hmac' } } });
    const objects = objectsOf(receiverPart(settings, new NamedValues()));
    expect(validateObjects(objects)).toEqual([]);
    const receiver = find(objects, 'Receiver');
    expect(receiver.metadata.namespace).toBe('gitops');
    expect(receiver.spec.type).toBe('generic-hmac');
    expect(receiver.spec.events).toBeUndefined();
    expect(receiver.spec.resources[0]).toMatchObject({ name: 'homelab', namespace: 'gitops' });
    expect(find(objects, 'Kustomization').spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'homelab', namespace: 'gitops' });
  });

  it('computes the webhook path as notification-controller does: /hook/ + sha256(token + name + namespace)', () => {
    const token = '3f2a9c0d4e5b6a7f8091a2b3c4d5e6f70819a2b3c4d5e6f708192a3b4c5d6e7f';
    // Worked out with coreutils: printf %s "${token}slipwayflux-system" | sha256sum
    expect(fluxReceiverPath(bootstrapSettings(), { get: () => token })).toBe('/hook/aa5277185981ad9b5331cdc90d76d88d3f17893d7cf6942146ea1071b7a65b83');
    const notes = receiverPart(bootstrapSettings(), { get: () => token }).notes!.join('\n');
    expect(notes).toContain('url: https://<the address of webhook-receiver>/hook/aa5277185981ad9b5331cdc90d76d88d3f17893d7cf6942146ea1071b7a65b83');
    expect(notes).toContain('token: { file: /home/me/.slipway/bootstrap/flux-receiver-token }');
    expect(notes).not.toContain(token);
  });

  it('applies the bootstrap folder with a Flux Kustomization that decrypts SOPS files only when SOPS is the backend', () => {
    const sops = find(objectsOf(receiverPart(bootstrapSettings(), new NamedValues())), 'Kustomization');
    expect(sops.spec).toMatchObject({ path: './kubernetes/slipway', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, decryption: { provider: 'sops', secretRef: { name: 'sops-age' } } });
    expect(sops.spec.postBuild).toEqual({ substituteFrom: [{ kind: 'Secret', name: 'cluster-secrets' }] });
    const sealed = objectsOf(receiverPart(bootstrapSettings({ bootstrap: { path: 'clusters/home/slipway' } }, { secrets: 'sealed-secrets' }), new NamedValues()));
    expect(validateObjects(sealed)).toEqual([]);
    expect(find(sealed, 'Kustomization').spec.decryption).toBeUndefined();
    expect(find(sealed, 'Kustomization').spec.path).toBe('./clusters/home/slipway');
  });
});

describe('receiverPart (Argo CD)', () => {
  it('sets Argo CD\'s GitHub webhook secret in argocd-secret and writes Applications valid against the Application CRD', () => {
    const part = receiverPart(bootstrapSettings(ARGOCD_CONFIG, { secrets: 'sealed-secrets' }), new NamedValues());
    const objects = objectsOf(part);
    expect(validateObjects(objects)).toEqual([]);
    expect(objects.map((o) => o.metadata?.name)).toEqual(['slipway', 'slipway-apps']);
    const root = find(objects, 'Application', 'slipway');
    expect(root.spec).toMatchObject({ source: { repoURL: 'https://git.example.com/homelab.git', path: 'kubernetes/slipway', targetRevision: 'main' }, destination: { namespace: 'slipway' } });
    expect(find(objects, 'Application', 'slipway-apps').spec.source.path).toBe('kubernetes/apps/dynamic');
    const [secret] = part.secrets;
    expect(secret!.secret).toMatchObject({ name: 'argocd-secret', namespace: 'argocd', annotations: { 'sealedsecrets.bitnami.com/managed': 'true' }, stringData: { 'webhook.github.secret': 'value-of-argocd-webhook-secret' } });
    expect(part.notes!.join('\n')).toContain('webhookSecret: { file: /home/me/.slipway/bootstrap/argocd-webhook-secret }');
  });

  it('writes one apps Application per environment, and warns that Argo CD does not decrypt SOPS by itself', () => {
    const part = receiverPart(bootstrapSettings({ ...ARGOCD_CONFIG, environments: { dev: {}, prod: {} } }), new NamedValues());
    const objects = objectsOf(part);
    expect(validateObjects(objects)).toEqual([]);
    expect(objects.map((o) => [o.metadata?.name, (o as any).spec.source.path])).toEqual([
      ['slipway', 'kubernetes/slipway'],
      ['slipway-apps-dev', 'kubernetes/apps/dynamic-dev'],
      ['slipway-apps', 'kubernetes/apps/dynamic'],
    ]);
    expect(part.secrets[0]!.secret.annotations).toBeUndefined();
    expect(part.notes!.join('\n')).toMatch(/does not decrypt SOPS files by itself/);
  });
});
