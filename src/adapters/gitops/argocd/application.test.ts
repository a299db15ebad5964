import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../domain/errors.ts';
import { appOfAppsPath, ARGOCD_RESOURCES_FINALIZER, renderArgoApplication, renderArgoAppOfApps } from './application.ts';
import { defaultRenderSettings, RenderSettingsSchema, engineRender } from '../../../../test/support/render-settings.ts';
import { flavours, SEMVER_IMAGE, sampleSpec } from '../../../render/test-fixtures.ts';

const input = { image: SEMVER_IMAGE };

describe('renderArgoApplication', () => {
  it('syncs the app\'s manifest directory into the apps namespace, automatically', () => {
    const application = renderArgoApplication(sampleSpec(), input, flavours()['argocd-per-app']);
    expect(application.metadata).toMatchObject({ name: 'pomodoro-timer', namespace: 'argocd', finalizers: [ARGOCD_RESOURCES_FINALIZER] });
    expect(application.spec).toEqual({
      project: 'default',
      source: { repoURL: 'https://git.k8s-lab.dev/homelab/gitops.git', targetRevision: 'main', path: 'kubernetes/apps/dynamic/pomodoro-timer/app' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'dynamic-apps' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
  });

  it('follows the Argo CD settings', () => {
    const settings = RenderSettingsSchema.parse({
      engine: 'argocd',
      namespace: 'apps',
      appsDomain: 'apps.lan',
      gitops: { path: 'clusters/pi/apps' },
      argocd: { namespace: 'gitops', project: 'homelab', repoURL: 'git@git.lan:me/gitops.git', targetRevision: 'live', syncPolicy: { automated: { selfHeal: false } } },
    });
    const application = renderArgoApplication(sampleSpec(), input, settings);
    expect(application.metadata.namespace).toBe('gitops');
    expect(application.spec).toMatchObject({
      project: 'homelab',
      source: { repoURL: 'git@git.lan:me/gitops.git', targetRevision: 'live', path: 'clusters/pi/apps/pomodoro-timer/app' },
      destination: { namespace: 'apps' },
      syncPolicy: { automated: { prune: true, selfHeal: false } },
    });
  });

  it('refuses settings that skipped their schema and name no repo', () => {
    const settings = defaultRenderSettings();
    settings.engine = engineRender('argocd');
    expect(() => renderArgoApplication(sampleSpec(), input, settings)).toThrow(ConfigError);
  });
});

describe('renderArgoAppOfApps', () => {
  it('syncs the directory of Applications into Argo CD\'s namespace, without cascading deletes', () => {
    const settings = flavours()['argocd-app-of-apps'];
    const parent = renderArgoAppOfApps(settings);
    expect(appOfAppsPath(settings)).toBe('kubernetes/apps/dynamic/slipway-apps.yaml');
    expect(parent.metadata).toMatchObject({ name: 'slipway-apps', namespace: 'argocd' });
    expect(parent.metadata).not.toHaveProperty('finalizers');
    expect(parent.spec.source.path).toBe('kubernetes/apps/dynamic');
    expect(parent.spec.destination.namespace).toBe('argocd');
  });
});
