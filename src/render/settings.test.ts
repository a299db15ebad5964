import { describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/errors.ts';
import { defaultRenderSettings, renderSettingsFrom, RenderSettingsSchema } from '../../test/support/render-settings.ts';

describe('RenderSettingsSchema', () => {
  it('fills every default from an empty object', () => {
    const { engine, engines, ...rest } = defaultRenderSettings();
    // The engine comes as its render part, with every engine handed in beside it.
    expect(engine.name).toBe('flux');
    expect(engines.map((e) => e.name)).toEqual(['flux', 'argocd']);
    expect(rest).toEqual({
      objectSuffix: '',
      namespace: 'dynamic-apps',
      appsDomain: '${APPS_SUBDOMAIN}',
      gateway: { parentRefs: [{ name: 'gateway', namespace: 'gateway' }] },
      gitops: {
        path: 'kubernetes/apps/dynamic',
        sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
        substituteFrom: [{ kind: 'Secret', name: 'cluster-secrets' }],
        dependsOn: [],
        interval: '10m',
        timeout: '5m',
      },
      resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      networkPolicy: { enabled: true, prometheusNamespace: 'monitoring', egress: true },
      egress: { mechanism: 'none', hosts: [] },
      database: { storage: '1Gi', resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } } },
      flux: { imageAutomation: { enabled: false, interval: '5m', policy: { semver: '>=0.0.0' } } },
      argocd: {
        namespace: 'argocd',
        project: 'default',
        targetRevision: 'main',
        mode: 'per-app',
        appOfAppsName: 'slipway-apps',
        destinationServer: 'https://kubernetes.default.svc',
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
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
    ['Flux dependencies', { gitops: { dependsOn: [{ name: 'gateway-api' }, { name: 'crds', namespace: 'infra' }] } }],
    ['image automation by semver with a tag filter', { flux: { imageAutomation: { enabled: true, policy: { semver: '^2.x' }, filterTags: { pattern: '^v(?P<v>.*)-prod$', extract: '$v' } } } }],
    ['image automation in numerical order', { flux: { imageAutomation: { enabled: true, policy: { numerical: 'desc' }, secretRef: 'registry-login', insecure: true } } }],
    ['Argo CD with a repo and a real domain', { engine: 'argocd', appsDomain: 'apps.k8s-lab.dev', argocd: { repoURL: 'git@github.com:me/homelab.git', mode: 'app-of-apps' } }],
    ['Argo CD over https', { engine: 'argocd', appsDomain: 'apps.k8s-lab.dev', argocd: { repoURL: 'https://git.lan/homelab.git', syncPolicy: { automated: { prune: false } } } }],
    ['no NetworkPolicy', { networkPolicy: { enabled: false } }],
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
    ['an unknown engine', { engine: 'kubectl' }],
    ['the same gateway listener twice', { gateway: { parentRefs: [{ name: 'gw', sectionName: 'https' }, { name: 'gw', sectionName: 'https' }] } }],
    ['a dependency with an upper-case name', { gitops: { dependsOn: [{ name: 'Gateway' }] } }],
    ['two image policies at once', { flux: { imageAutomation: { policy: { semver: '>=1', numerical: 'asc' } } } }],
    ['an image policy order that is not asc or desc', { flux: { imageAutomation: { policy: { alphabetical: 'up' } } } }],
    ['Argo CD without a repo URL', { engine: 'argocd', appsDomain: 'apps.k8s-lab.dev' }],
    ['Argo CD with a Flux variable in the domain', { engine: 'argocd', argocd: { repoURL: 'https://git.lan/homelab.git' } }],
    ['Argo CD with Flux image automation', { engine: 'argocd', appsDomain: 'a.b', argocd: { repoURL: 'https://git.lan/h.git' }, flux: { imageAutomation: { enabled: true } } }],
    ['an Argo CD repo that is a local path', { argocd: { repoURL: '/srv/git/homelab.git' } }],
    ['an unknown Argo CD mode', { argocd: { mode: 'app-of-app' } }],
  ])('rejects %s', (_what, input) => {
    expect(RenderSettingsSchema.safeParse(input).success).toBe(false);
  });
});

describe('renderSettingsFrom', () => {
  it('takes gitops.path from git.gitops.path, over render.gitops.path', () => {
    const settings = renderSettingsFrom({ render: { namespace: 'apps', gitops: { path: 'ignored', interval: '1h' } }, git: { gitops: { path: 'clusters/pi/apps' } } });
    expect(settings.namespace).toBe('apps');
    expect(settings.gitops).toMatchObject({ path: 'clusters/pi/apps', interval: '1h' });
  });

  it('gives the defaults for an empty configuration', () => {
    expect(renderSettingsFrom({})).toEqual(defaultRenderSettings());
  });

  it('takes Argo CD\'s repo and revision from a remote git.gitops, unless render.argocd names them', () => {
    const git = { gitops: { url: 'ssh://git@git.lan/homelab.git', branch: 'live' } };
    const settings = renderSettingsFrom({ render: { engine: 'argocd', appsDomain: 'apps.lan' }, git });
    expect(settings.argocd).toMatchObject({ repoURL: 'ssh://git@git.lan/homelab.git', targetRevision: 'live' });
    const own = renderSettingsFrom({ render: { engine: 'argocd', appsDomain: 'apps.lan', argocd: { repoURL: 'https://x.lan/h.git', targetRevision: 'v1' } }, git });
    expect(own.argocd).toMatchObject({ repoURL: 'https://x.lan/h.git', targetRevision: 'v1' });
  });

  it('lets the engine flag win over the file, and says which field is wrong', () => {
    expect(renderSettingsFrom({ render: { engine: 'argocd' } }, { engine: 'flux' }).engine.name).toBe('flux');
    // The embedded default: a bare repo path Argo CD cannot clone.
    const local = () => renderSettingsFrom({ render: { appsDomain: 'apps.lan' }, git: { gitops: { url: '/home/me/.slipway/git/gitops.git' } } }, { engine: 'argocd' });
    expect(local).toThrow(ConfigError);
    expect(local).toThrow(/render\.argocd\.repoURL: Argo CD needs the GitOps repo URL/);
    expect(() => renderSettingsFrom({ render: { namepsace: 'x' } })).toThrow(/render: unknown field\(s\) 'namepsace'/);
    expect(() => renderSettingsFrom({ render: { gateway: { parentRefs: [] } } })).toThrow(/render\.gateway\.parentRefs: /);
  });
});
