import { describe, expect, it } from 'vitest';
import { appPaths, renderAppKustomization } from './kustomization.ts';
import { defaultRenderSettings } from '../../test/support/render-settings.ts';
import { RENDERED_HEADER, toYaml } from './yaml-writer.ts';

const settings = defaultRenderSettings();

describe('renderAppKustomization', () => {
  it('lists the resource files sorted and once each', async () => {
    const ks = renderAppKustomization(['service.yaml', 'httproute.yaml', 'deployment.yaml', 'service.yaml']);
    expect(ks).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['deployment.yaml', 'httproute.yaml', 'service.yaml'] });
    await expect(toYaml(ks, { header: RENDERED_HEADER })).toMatchFileSnapshot('./__snapshots__/kustomization.yaml');
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
