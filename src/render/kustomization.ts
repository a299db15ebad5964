import type { IKustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import type { AppSpec } from '../domain/app-spec.ts';
import { renderTarget } from './input.ts';
import { compareCodeUnits } from '../domain/compare.ts';
import type { RenderSettings } from './settings.ts';
import type { KustomizeConfig, RenderInput } from './types.ts';

export { renderParentKustomization, appKsEntry } from './parent-kustomization.ts';

/** Namespace Flux's own objects live in; Flux reads `substituteFrom` Secrets/ConfigMaps from here too. */
export const FLUX_NAMESPACE = 'flux-system';

/** Where an app's files go in the GitOps repo, relative to the repo root. */
export interface AppPaths {
  /** `<gitops.path>/<app>`: removed as a whole when the app is deleted. */
  dir: string;
  /** `<gitops.path>/<app>/ks.yaml`: the Flux Kustomization, listed in the parent kustomization (engine flux). */
  ks: string;
  /** `<gitops.path>/<app>/application.yaml`: the Argo CD Application, listed in the parent kustomization (engine argocd). */
  application: string;
  /** `<gitops.path>/<app>/app`: the manifests Flux applies. */
  manifests: string;
  /** `<gitops.path>/kustomization.yaml`: lists every app's ks.yaml or application.yaml. */
  parent: string;
}

/**
 * The seed layout of one app in the GitOps repo.
 * @example appPaths('notes', defaultRenderSettings()).ks // 'kubernetes/apps/dynamic/notes/ks.yaml'
 */
export function appPaths(app: string, settings: RenderSettings): AppPaths {
  const base = settings.gitops.path;
  const dir = `${base}/${app}`;
  return { dir, ks: `${dir}/ks.yaml`, application: `${dir}/application.yaml`, manifests: `${dir}/app`, parent: `${base}/kustomization.yaml` };
}

/**
 * The `kustomization.yaml` of the app's manifest directory, listing its files sorted and once each.
 * @example renderAppKustomization(['service.yaml', 'deployment.yaml']).resources // ['deployment.yaml', 'service.yaml']
 */
export function renderAppKustomization(resources: readonly string[]) {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...new Set(resources)].sort(compareCodeUnits),
  } satisfies KustomizeConfig;
}

/**
 * The Flux Kustomization (`ks.yaml`) that applies the app's directory into the apps namespace,
 * pruning what is removed, waiting for the app to be ready, after the Kustomizations in
 * `gitops.dependsOn`, and substituting `${VAR}`s such as `${APPS_SUBDOMAIN}` or `${CLUSTER_DOMAIN}`
 * (in host names, image names) from the configured Secrets/ConfigMaps.
 * @example renderFluxKustomization(spec, { image: 'registry.local/notes:1' }, defaultRenderSettings()).spec.path // './kubernetes/apps/dynamic/notes/app'
 */
export function renderFluxKustomization(spec: AppSpec, input: RenderInput, settings: RenderSettings) {
  const { app, labels } = renderTarget(spec, input);
  const { gitops } = settings;
  const source = gitops.sourceRef;
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: app, namespace: FLUX_NAMESPACE, labels },
    spec: {
      interval: gitops.interval,
      timeout: gitops.timeout,
      path: `./${appPaths(app, settings).manifests}`,
      prune: true,
      wait: true,
      targetNamespace: settings.namespace,
      sourceRef: { kind: source.kind, name: source.name, ...(source.namespace === undefined ? {} : { namespace: source.namespace }) },
      // Flux reads a dependsOn without a namespace as the Kustomization's own (flux-system).
      ...(gitops.dependsOn.length === 0
        ? {}
        : { dependsOn: gitops.dependsOn.map((ref) => ({ name: ref.name, ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }) })) }),
      ...(gitops.substituteFrom.length === 0
        ? {}
        : {
            postBuild: {
              substituteFrom: gitops.substituteFrom.map((ref) => ({
                kind: ref.kind,
                name: ref.name,
                ...(ref.optional === undefined ? {} : { optional: ref.optional }),
              })),
            },
          }),
    },
  } satisfies IKustomization;
}
