import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.ts';
import { validateObjects } from '../validate/index.ts';
import { namespacePart } from './namespace.ts';
import { bootstrapSettings } from './test-fixtures.ts';

const objectsOf = (part: ReturnType<typeof namespacePart>) => part.files.flatMap((file) => file.objects);

describe('namespacePart', () => {
  it('makes the apps namespace and Slipway\'s restricted, valid against Kubernetes\' own schemas', () => {
    const part = namespacePart(bootstrapSettings());
    expect(part.files.map((f) => f.path)).toEqual(['namespaces/dynamic-apps.yaml', 'namespaces/slipway.yaml']);
    const objects = objectsOf(part);
    expect(validateObjects(objects)).toEqual([]);
    const namespaces = objects.filter((o) => o.kind === 'Namespace');
    expect(namespaces.map((n) => n.metadata?.name)).toEqual(['dynamic-apps', 'slipway']);
    for (const ns of namespaces) {
      expect(ns.metadata?.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      });
    }
  });

  it('bounds the apps namespace with a quota and container defaults sized for Raspberry Pis', () => {
    const objects = objectsOf(namespacePart(bootstrapSettings()));
    const quota = objects.find((o) => o.kind === 'ResourceQuota') as unknown as { metadata: { namespace: string }; spec: { hard: Record<string, string> } };
    expect(quota.metadata.namespace).toBe('dynamic-apps');
    expect(quota.spec.hard).toEqual({ 'requests.cpu': '2', 'requests.memory': '2Gi', 'limits.memory': '4Gi', pods: '30', persistentvolumeclaims: '10', 'requests.storage': '20Gi' });
    const limits = objects.find((o) => o.kind === 'LimitRange') as unknown as { spec: { limits: Array<Record<string, unknown>> } };
    expect(limits.spec.limits).toEqual([{ type: 'Container', default: { memory: '256Mi' }, defaultRequest: { cpu: '10m', memory: '64Mi' }, max: { cpu: '1', memory: '1Gi' } }]);
    // Slipway's namespace is not the apps': no quota there.
    expect(objects.filter((o) => o.metadata?.namespace === 'slipway')).toEqual([]);
  });

  it('takes the sizes from bootstrap.quota and bootstrap.limits', () => {
    const settings = bootstrapSettings({ bootstrap: { quota: { requestsMemory: '6Gi', pods: 80 }, limits: { maxMemory: '2Gi' } } });
    const objects = objectsOf(namespacePart(settings));
    expect(validateObjects(objects)).toEqual([]);
    expect(JSON.stringify(objects)).toContain('"requests.memory":"6Gi"');
    expect(JSON.stringify(objects)).toContain('"pods":"80"');
    expect(JSON.stringify(objects)).toContain('"max":{"cpu":"1","memory":"2Gi"}');
  });

  it('prepares every environment\'s namespace, and the namespace named in bootstrap.namespace', () => {
    const settings = bootstrapSettings({ environments: { dev: {}, prod: {} }, bootstrap: { namespace: 'platform' } });
    expect(namespacePart(settings).files.map((f) => f.path)).toEqual(['namespaces/dynamic-apps-dev.yaml', 'namespaces/dynamic-apps.yaml', 'namespaces/platform.yaml']);
  });

  it('refuses a bootstrap namespace that is also an apps namespace', () => {
    expect(() => bootstrapSettings({ bootstrap: { namespace: 'dynamic-apps' } })).toThrow(ConfigError);
  });

  it('refuses a bootstrap folder that overlaps an apps folder', () => {
    expect(() => bootstrapSettings({ bootstrap: { path: 'kubernetes/apps' } })).toThrow(/overlap/);
    expect(() => bootstrapSettings({ bootstrap: { path: 'kubernetes/apps/dynamic/slipway' } })).toThrow(/overlap/);
  });

  it('refuses quantities Kubernetes would not read, in slipway.yaml', () => {
    expect(() => bootstrapSettings({ bootstrap: { quota: { requestsMemory: 'lots' } } })).toThrow(/quantity/);
  });
});
