import type { AppSpec } from '../domain/app-spec.ts';
import { type RenderSettings } from './settings.ts';
import { RenderSettingsSchema } from '../../test/support/render-settings.ts';

/** A digest-pinned image reference as the publish step produces it (tests only). */
export const SAMPLE_IMAGE = `registry.local:5000/dynamic-apps/pomodoro-timer:3f2a9c1@sha256:${'0123456789abcdef'.repeat(4)}`;

/** The app the seeds use as their example (tests only). */
export function sampleSpec(overrides: Partial<AppSpec> = {}): AppSpec {
  return {
    name: 'pomodoro-timer',
    description: 'a pomodoro timer with a dark theme',
    template: 'pomodoro-timer',
    templateVersion: '1.0.0',
    runtime: 'static',
    port: 8080,
    persistent: false,
    command: ['node', 'server.js'],
    ...overrides,
  };
}

/** A copy of `value` with every object's keys in reverse insertion order (tests only). */
export function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => reverseKeys(item)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reverseKeys(v)])) as T;
}

/** The four ways Slipway renders an app for a cluster, by snapshot name (tests only). */
export function flavours(): Record<'flux' | 'flux-image-automation' | 'argocd-per-app' | 'argocd-app-of-apps', RenderSettings> {
  const argocd = { repoURL: 'https://git.k8s-lab.dev/homelab/gitops.git', targetRevision: 'main' };
  return {
    flux: RenderSettingsSchema.parse({}),
    'flux-image-automation': RenderSettingsSchema.parse({
      appsDomain: 'apps.${CLUSTER_DOMAIN}',
      gitops: { dependsOn: [{ name: 'gateway-api' }] },
      flux: {
        imageAutomation: {
          enabled: true,
          // Semantic tags such as v2.1.0-a3f5c2b-prod, newest release of major 2.
          policy: { semver: '^2.0.0' },
          filterTags: { pattern: '^v(?P<version>[0-9]+\\.[0-9]+\\.[0-9]+)-[a-f0-9]+-prod$', extract: '$version' },
          secretRef: 'registry-login',
        },
      },
    }),
    'argocd-per-app': RenderSettingsSchema.parse({ engine: 'argocd', appsDomain: 'apps.k8s-lab.dev', argocd }),
    'argocd-app-of-apps': RenderSettingsSchema.parse({ engine: 'argocd', appsDomain: 'apps.k8s-lab.dev', argocd: { ...argocd, mode: 'app-of-apps' } }),
  };
}

/** A digest-pinned image with a semantic tag and no Flux variable, for every flavour (tests only). */
export const SEMVER_IMAGE = `registry.k8s-lab.dev/dynamic-apps/pomodoro-timer:v2.1.0-3f2a9c1-prod@sha256:${'0123456789abcdef'.repeat(4)}`;
