/**
 * Render: pure functions from an `AppSpec` and cluster settings to Kubernetes objects, and one
 * writer that turns them into YAML files. No I/O, clock, randomness or environment; the same input
 * gives the same bytes.
 */
import type { AppSpec } from '../domain/app-spec.ts';
import { renderDeployment } from './deployment.ts';
import { renderHttpRoute } from './httproute.ts';
import { renderTarget } from './input.ts';
import { appPaths, renderAppKustomization, renderFluxKustomization } from './kustomization.ts';
import { compareCodeUnits } from './order.ts';
import { renderService } from './service.ts';
import { defaultRenderSettings, type RenderSettings } from './settings.ts';
import type { KubeObject, RenderedFile, RenderInput } from './types.ts';
import { RENDERED_HEADER, toYaml } from './yaml-writer.ts';

export * from './settings.ts';
export type * from './types.ts';
export { APP_UID, DATA_DIR, renderDeployment } from './deployment.ts';
export { renderService, SERVICE_PORT } from './service.ts';
export { appHostname, renderHttpRoute } from './httproute.ts';
export {
  appKsEntry,
  appPaths,
  FLUX_NAMESPACE,
  renderAppKustomization,
  renderFluxKustomization,
  renderParentKustomization,
  type AppPaths,
} from './kustomization.ts';
export { PARENT_HEADER } from './parent-kustomization.ts';
export { podSecurityProblems } from './pod-security.ts';
export { appLabels, DESCRIPTION_ANNOTATION, descriptionAnnotation, MANAGED_BY, PART_OF, selectorLabels } from './labels.ts';
export { documentToYaml, RENDERED_HEADER, toYaml, YAML_PARSE_OPTIONS, type ToYamlOptions } from './yaml-writer.ts';

/**
 * Every file of one app for the GitOps repo, sorted by path (seed layout):
 * `<gitops.path>/<app>/ks.yaml` and `<gitops.path>/<app>/app/{deployment,httproute,kustomization,service}.yaml`.
 * The parent `<gitops.path>/kustomization.yaml` is not among them: it is shared, so it is updated
 * with `renderParentKustomization` against its current text.
 * @example renderApp(spec, { image: 'registry.local:5000/dynamic-apps/notes:1.0.0' }, defaultRenderSettings()).map((f) => f.path)
 * // ['kubernetes/apps/dynamic/notes/app/deployment.yaml', …, 'kubernetes/apps/dynamic/notes/ks.yaml']
 */
export function renderApp(spec: AppSpec, input: RenderInput, settings: RenderSettings = defaultRenderSettings()): RenderedFile[] {
  const { app } = renderTarget(spec, input);
  const paths = appPaths(app, settings);
  const manifests: Array<[string, KubeObject]> = [
    ['deployment.yaml', renderDeployment(spec, input, settings)],
    ['service.yaml', renderService(spec, input, settings)],
    ['httproute.yaml', renderHttpRoute(spec, input, settings)],
  ];
  const file = (path: string, object: KubeObject): RenderedFile => ({ path, content: toYaml(object, { header: RENDERED_HEADER }) });
  const files = [
    ...manifests.map(([name, object]) => file(`${paths.manifests}/${name}`, object)),
    file(`${paths.manifests}/kustomization.yaml`, renderAppKustomization(manifests.map(([name]) => name))),
    file(paths.ks, renderFluxKustomization(spec, input, settings)),
  ];
  return files.sort((a, b) => compareCodeUnits(a.path, b.path));
}
