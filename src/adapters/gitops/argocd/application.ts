import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { AppSpec } from '../../../domain/app-spec.ts';
import { ConfigError } from '../../../domain/errors.ts';
import { renderTarget } from '../../../render/input.ts';
import { appLabels } from '../../../render/labels.ts';
import { appPaths } from '../../../render/kustomization.ts';
import type { RenderSettings } from '../../../render/settings.ts';
import type { RenderInput } from '../../../render/types.ts';

/**
 * Makes Argo CD delete an app's objects when its Application is deleted. Without it, removing an app
 * from Git would delete only the Application and leave the Deployment running.
 */
export const ARGOCD_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/**
 * Where the app-of-apps parent Application is written: beside the per-app folders, but not listed
 * in the parent `kustomization.yaml`, so the parent does not manage itself (deleting it by mistake
 * would then delete every app). It is applied once by hand (`kubectl apply -f <file>`) or by a root
 * Application of the person's own.
 * @example appOfAppsPath(settings) // 'kubernetes/apps/dynamic/slipway-apps.yaml'
 */
export function appOfAppsPath(settings: RenderSettings): string {
  return `${settings.gitops.path}/${settings.argocd.appOfAppsName}.yaml`;
}

/**
 * The app's Argo CD Application: the app's manifest directory in the GitOps repo synced into the apps
 * namespace, automatically, pruning what is removed and undoing drift (per `argocd.syncPolicy`).
 * @example renderArgoApplication(spec, input, settings).spec.source.path // 'kubernetes/apps/dynamic/notes/app'
 */
export function renderArgoApplication(spec: AppSpec, input: RenderInput, settings: RenderSettings) {
  const { app, labels } = renderTarget(spec, input);
  // One Application per app and environment, all in Argo CD's namespace.
  return application(`${app}${settings.objectSuffix}`, labels, settings, {
    path: appPaths(app, settings).manifests,
    namespace: settings.namespace,
    finalizers: [ARGOCD_RESOURCES_FINALIZER],
  });
}

/**
 * The app-of-apps parent Application (`argocd.mode: app-of-apps`): it syncs `<gitops.path>`, whose
 * `kustomization.yaml` lists every app's `application.yaml`, into Argo CD's namespace. It carries no
 * resources finalizer: deleting the parent by mistake leaves the apps running.
 * @example renderArgoAppOfApps(settings).spec.source.path // 'kubernetes/apps/dynamic'
 */
export function renderArgoAppOfApps(settings: RenderSettings) {
  const name = settings.argocd.appOfAppsName;
  return application(name, appLabels(name), settings, { path: settings.gitops.path, namespace: settings.argocd.namespace, finalizers: [] });
}

function application(
  name: string,
  labels: Record<string, string>,
  settings: RenderSettings,
  target: { path: string; namespace: string; finalizers: string[] },
) {
  const { argocd } = settings;
  if (argocd.repoURL === undefined) {
    throw new ConfigError('render.argocd.repoURL is not set: an Argo CD Application must name the GitOps repo it syncs', {
      hint: 'Set render.argocd.repoURL (or a remote git.gitops.url) in slipway.yaml.',
    });
  }
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: argocd.namespace, labels, ...(target.finalizers.length > 0 ? { finalizers: target.finalizers } : {}) },
    spec: {
      project: argocd.project,
      source: { repoURL: argocd.repoURL, targetRevision: argocd.targetRevision, path: target.path },
      destination: { server: argocd.destinationServer, namespace: target.namespace },
      syncPolicy: { automated: { prune: argocd.syncPolicy.automated.prune, selfHeal: argocd.syncPolicy.automated.selfHeal } },
    },
  } satisfies IApplication;
}
