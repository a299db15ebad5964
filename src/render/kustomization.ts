import { compareCodeUnits } from '../domain/compare.ts';
import type { RenderSettings } from './settings.ts';
import type { KustomizeConfig } from './types.ts';

export { renderParentKustomization } from './parent-kustomization.ts';

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
