import type { IKustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import type { AppSpec } from '../../../domain/app-spec.ts';
import { renderTarget } from '../../../render/input.ts';
import { appPaths } from '../../../render/kustomization.ts';
import type { RenderSettings } from '../../../render/settings.ts';
import type { RenderInput } from '../../../render/types.ts';

/** Namespace Flux's own objects live in; Flux reads `substituteFrom` Secrets/ConfigMaps from here too. */
export const FLUX_NAMESPACE = 'flux-system';

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
    // One Kustomization per app and environment, all in flux-system.
    metadata: { name: `${app}${settings.objectSuffix}`, namespace: FLUX_NAMESPACE, labels },
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
