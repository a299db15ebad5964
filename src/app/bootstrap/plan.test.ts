import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../../domain/errors.ts';
import type { BootstrapPart, PlainSecret, SecretEncryption } from '../../render/bootstrap/index.ts';
import { namespacePart } from '../../render/bootstrap/namespace.ts';
import { bootstrapSettings, NamedValues } from '../../render/bootstrap/test-fixtures.ts';
import { planBootstrap, planParts } from './plan.ts';

/** Stands in for the encrypter where only the plan's handling of files is under test: it says which Secret it was given, no values. */
const describeSecret = (secret: PlainSecret, how: SecretEncryption) => Promise.resolve(`# ${how.kind} ${secret.namespace}/${secret.name} [${Object.keys(secret.stringData).join(',')}]\n`);
const options = { how: { kind: 'sops', ageRecipients: ['age1x'] } as SecretEncryption, encrypt: describeSecret, existing: () => undefined };

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('planBootstrap', () => {
  it('writes every part\'s files under bootstrap.path, each Secret encrypted, and a kustomization.yaml listing them all', async () => {
    const plan = await planBootstrap(bootstrapSettings(), new NamedValues(), options);
    const paths = plan.files.map((f) => f.path);
    expect(paths.at(-1)).toBe('kubernetes/slipway/kustomization.yaml');
    expect(paths.every((p) => p.startsWith('kubernetes/slipway/'))).toBe(true);
    const kustomization = parse(plan.files.at(-1)!.content) as { resources: string[] };
    expect(kustomization.resources).toEqual(paths.slice(0, -1).map((p) => p.slice('kubernetes/slipway/'.length)));
    expect(plan.files.find((f) => f.path.endsWith('secrets/slipway-receiver-token.yaml'))!.content).toBe('# sops flux-system/slipway-receiver-token [token]\n');
    expect(plan.parts).toEqual(expect.arrayContaining(['namespace', 'receiver', 'rbac']));
    expect(plan.notes.join('\n')).toContain('/hook/');
  });

  it('is deterministic: the same settings and values give the same bytes', async () => {
    const a = await planBootstrap(bootstrapSettings(), new NamedValues(), options);
    const b = await planBootstrap(bootstrapSettings(), new NamedValues(), options);
    expect(b.files).toEqual(a.files);
  });

  it('names file, object and field of an object the schema refuses', async () => {
    const settings = bootstrapSettings();
    const part: BootstrapPart = {
      name: 'broken',
      files: [{ path: 'broken/service.yaml', objects: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'slipway' }, spec: { ports: [{ port: 'eighty' }] } }] }],
      secrets: [],
    };
    const error = await refusal(planParts([part], settings, options));
    expect(error.message).toContain('kubernetes/slipway/broken/service.yaml: Service/web: spec.ports[0].port');
  });

  it('refuses a pod the restricted Pod Security Standard would refuse in a namespace the bootstrap restricts', async () => {
    const settings = bootstrapSettings();
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'root', namespace: 'slipway' },
      spec: { selector: { matchLabels: { app: 'root' } }, template: { metadata: { labels: { app: 'root' } }, spec: { containers: [{ name: 'root', image: 'busybox@sha256:' + 'a'.repeat(64) }] } } },
    };
    const part: BootstrapPart = { name: 'root', files: [{ path: 'root.yaml', objects: [deployment] }], secrets: [] };
    const error = await refusal(planParts([namespacePart(settings), part], settings, options));
    expect(error.message).toContain('kubernetes/slipway/root.yaml: Deployment/root:');
    expect(error.message).toContain('restricted Pod Security Standard');
  });

  it('checks a Secret\'s shape without putting a value in the message', async () => {
    const part: BootstrapPart = {
      name: 'secret',
      files: [],
      secrets: [{ path: 'secrets/bad.yaml', purpose: 'x', secret: { name: 'Not_A_Name', namespace: 'slipway', stringData: { token: 'v3ry-s3cret' } } }],
    };
    const error = await refusal(planParts([part], bootstrapSettings(), options));
    expect(error.message).toContain('kubernetes/slipway/secrets/bad.yaml: Secret/Not_A_Name: metadata.name');
    expect(error.message).not.toContain('v3ry-s3cret');
  });

  it('refuses two parts writing one file', async () => {
    const part = (name: string): BootstrapPart => ({ name, files: [{ path: 'same.yaml', objects: [] }], secrets: [] });
    await expect(planParts([part('a'), part('b')], bootstrapSettings(), options)).rejects.toThrow('parts a and b both write same.yaml');
  });
});
