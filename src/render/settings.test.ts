import { describe, expect, it } from 'vitest';
import { defaultRenderSettings, RenderSettingsSchema } from './settings.ts';

describe('RenderSettingsSchema', () => {
  it('fills every default from an empty object', () => {
    expect(defaultRenderSettings()).toEqual({
      namespace: 'dynamic-apps',
      appsDomain: '${APPS_SUBDOMAIN}',
      gateway: { parentRefs: [{ name: 'gateway', namespace: 'gateway' }] },
      gitops: {
        path: 'kubernetes/apps/dynamic',
        sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
        substituteFrom: [{ kind: 'Secret', name: 'cluster-secrets' }],
        interval: '10m',
        timeout: '5m',
      },
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    });
  });

  it('keeps the other defaults when only part of a section is given', () => {
    const settings = RenderSettingsSchema.parse({ gitops: { path: 'clusters/pi/apps' }, resources: { limits: { memory: '128Mi' } } });
    expect(settings.gitops.path).toBe('clusters/pi/apps');
    expect(settings.gitops.interval).toBe('10m');
    expect(settings.gitops.substituteFrom).toEqual([{ kind: 'Secret', name: 'cluster-secrets' }]);
    expect(settings.resources).toEqual({ requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } });
  });

  it('returns a fresh object each time, so one caller cannot change another one\'s defaults', () => {
    const a = defaultRenderSettings();
    a.gateway.parentRefs.push({ name: 'other' });
    a.gitops.substituteFrom.length = 0;
    expect(defaultRenderSettings().gateway.parentRefs).toHaveLength(1);
    expect(defaultRenderSettings().gitops.substituteFrom).toHaveLength(1);
  });

  it.each([
    ['a domain with Flux variables', { appsDomain: 'apps.${CLUSTER_DOMAIN}' }],
    ['a plain domain', { appsDomain: 'apps.k8s-lab.dev' }],
    ['a listener section', { gateway: { parentRefs: [{ name: 'cilium-gateway', namespace: 'network', sectionName: 'https' }] } }],
    ['optional ConfigMap variables', { gitops: { substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-settings', optional: true }] } }],
    ['no substitution at all', { gitops: { substituteFrom: [] } }],
  ])('accepts %s', (_what, input) => {
    expect(RenderSettingsSchema.safeParse(input).success).toBe(true);
  });

  it.each([
    ['an upper-case namespace', { namespace: 'Apps' }],
    ['a domain with a space', { appsDomain: 'apps example.com' }],
    ['a domain with a shell expression', { appsDomain: '$(hostname).example.com' }],
    ['a path climbing out', { gitops: { path: 'kubernetes/../secrets' } }],
    ['an absolute path', { gitops: { path: '/etc' } }],
    ['a duration Flux does not read', { gitops: { interval: '10 minutes' } }],
    ['a Helm source', { gitops: { sourceRef: { kind: 'HelmRepository', name: 'x' } } }],
    ['no gateway', { gateway: { parentRefs: [] } }],
    ['a memory size without unit letters', { resources: { limits: { memory: '256 MB' } } }],
    ['an unknown key (a typo)', { namepsace: 'apps' }],
  ])('rejects %s', (_what, input) => {
    expect(RenderSettingsSchema.safeParse(input).success).toBe(false);
  });
});
