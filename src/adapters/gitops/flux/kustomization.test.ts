import { describe, expect, it } from 'vitest';
import { defaultRenderSettings, RenderSettingsSchema } from '../../../../test/support/render-settings.ts';
import { SAMPLE_IMAGE, sampleSpec } from '../../../render/test-fixtures.ts';
import { RENDERED_HEADER, toYaml } from '../../../render/yaml-writer.ts';
import { renderFluxKustomization } from './kustomization.ts';

const settings = defaultRenderSettings();

describe('renderFluxKustomization', () => {
  it('matches the reviewed manifest', async () => {
    await expect(toYaml(renderFluxKustomization(sampleSpec(), { image: SAMPLE_IMAGE }, settings), { header: RENDERED_HEADER })).toMatchFileSnapshot(
      '../../../render/__snapshots__/ks.yaml',
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
