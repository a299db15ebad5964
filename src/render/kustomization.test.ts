import { describe, expect, it } from 'vitest';
import { appPaths, renderAppKustomization, renderFluxKustomization } from './kustomization.ts';
import { defaultRenderSettings, RenderSettingsSchema } from './settings.ts';
import { SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';
import { RENDERED_HEADER, toYaml } from './yaml-writer.ts';

const settings = defaultRenderSettings();

describe('renderAppKustomization', () => {
  it('lists the resource files sorted and once each', async () => {
    const ks = renderAppKustomization(['service.yaml', 'httproute.yaml', 'deployment.yaml', 'service.yaml']);
    expect(ks).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['deployment.yaml', 'httproute.yaml', 'service.yaml'] });
    await expect(toYaml(ks, { header: RENDERED_HEADER })).toMatchFileSnapshot('./__snapshots__/kustomization.yaml');
  });
});

describe('renderFluxKustomization', () => {
  it('matches the reviewed manifest', async () => {
    await expect(toYaml(renderFluxKustomization(sampleSpec(), { image: SAMPLE_IMAGE }, settings), { header: RENDERED_HEADER })).toMatchFileSnapshot(
      './__snapshots__/ks.yaml',
    );
  });

  it('applies the app directory into the apps namespace, pruning, waiting and substituting', () => {
    const ks = renderFluxKustomization(sampleSpec(), { image: SAMPLE_IMAGE }, settings);
    expect(ks.metadata).toMatchObject({ name: 'pomodoro-timer', namespace: 'flux-system' });
    expect(ks.spec).toEqual({
      interval: '10m',
      timeout: '5m',
      path: './kubernetes/apps/dynamic/pomodoro-timer/app',
      prune: true,
      wait: true,
      targetNamespace: 'dynamic-apps',
      sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
      postBuild: { substituteFrom: [{ kind: 'Secret', name: 'cluster-secrets' }] },
    });
  });

  it('follows the configured layout and leaves postBuild out when nothing is substituted', () => {
    const custom = RenderSettingsSchema.parse({
      namespace: 'apps',
      gitops: { path: 'kubernetes/rpi-cluster/apps/dynamic', sourceRef: { kind: 'GitRepository', name: 'homelab' }, substituteFrom: [], interval: '1h', timeout: '2m' },
    });
    const ks = renderFluxKustomization(sampleSpec(), { image: SAMPLE_IMAGE }, custom);
    expect(ks.spec.path).toBe('./kubernetes/rpi-cluster/apps/dynamic/pomodoro-timer/app');
    expect(ks.spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'homelab' });
    expect(ks.spec).toMatchObject({ interval: '1h', timeout: '2m', targetNamespace: 'apps' });
    expect(ks.spec).not.toHaveProperty('postBuild');
    expect(ks.spec).not.toHaveProperty('dependsOn');
  });

  it('waits for the Kustomizations named in gitops.dependsOn, in the given order', () => {
    const custom = RenderSettingsSchema.parse({ gitops: { dependsOn: [{ namespace: 'infra', name: 'gateway-api' }, { name: 'cluster-settings' }] } });
    const ks = renderFluxKustomization(sampleSpec(), { image: SAMPLE_IMAGE }, custom);
    expect(ks.spec.dependsOn).toEqual([{ name: 'gateway-api', namespace: 'infra' }, { name: 'cluster-settings' }]);
    expect(toYaml(ks)).toContain('  dependsOn:\n    - name: gateway-api\n      namespace: infra\n    - name: cluster-settings\n  postBuild:\n');
  });
});

describe('appPaths', () => {
  it('places an app the seed way', () => {
    expect(appPaths('pomodoro-timer', settings)).toEqual({
      dir: 'kubernetes/apps/dynamic/pomodoro-timer',
      ks: 'kubernetes/apps/dynamic/pomodoro-timer/ks.yaml',
      application: 'kubernetes/apps/dynamic/pomodoro-timer/application.yaml',
      manifests: 'kubernetes/apps/dynamic/pomodoro-timer/app',
      parent: 'kubernetes/apps/dynamic/kustomization.yaml',
    });
  });
});
