import type { AppSpec } from '../domain/app-spec.ts';
import { PROXY_EMAILS_FILE, PROXY_SECRET_FILE, renderAccessProxyEmails } from './access-proxy.ts';
import { DATABASE_FILE, needsDatabase, renderDatabase } from './database.ts';
import { IMAGE_PATH, renderDeployment } from './deployment.ts';
import { renderHttpRoute } from './httproute.ts';
import { renderTarget } from './input.ts';
import { appPaths, renderAppKustomization } from './kustomization.ts';
import { renderNetworkPolicy } from './network-policy.ts';
import { renderCiliumEgress } from './cilium-egress.ts';
import { compareCodeUnits } from '../domain/compare.ts';
import { renderService } from './service.ts';
import { renderServiceMonitor } from './servicemonitor.ts';
import type { RenderSettings } from './settings.ts';
import type { KubeObject, LineComment, RenderedFile, RenderedManifest, RenderInput } from './types.ts';
import { assertValid, type ValidateOptions } from './validate/index.ts';
import { RENDERED_HEADER, toYaml } from './yaml-writer.ts';

/**
 * Every object of one app for the GitOps repo with the file it goes to, sorted by path (seed layout):
 * `<gitops.path>/<app>/app/` holds the manifests (Deployment, Service, HTTPRoute, NetworkPolicy when
 * enabled, a ServiceMonitor when the app serves metrics, the engine's own manifests such as Flux's ImageRepository and ImagePolicy, and their
 * `kustomization.yaml`); beside it the engine's files (`settings.engine`, the engine's render part the
 * composition root resolved): `ks.yaml` (Flux) or `application.yaml` (Argo CD), with Argo CD's app-of-apps
 * mode also the parent Application at `<gitops.path>/<appOfAppsName>.yaml`.
 * The parent `<gitops.path>/kustomization.yaml` is not among them: it is shared, so it is updated
 * with `renderParentKustomization` against its current text.
 * @example renderAppObjects(spec, { image: 'registry.local:5000/dynamic-apps/notes:1@sha256:…' }).map((m) => m.object.kind)
 * // ['Deployment', 'HTTPRoute', 'Kustomization', 'NetworkPolicy', 'Service', 'Kustomization']
 */
export function renderAppObjects(spec: AppSpec, input: RenderInput, settings: RenderSettings): RenderedManifest[] {
  const { app, labels } = renderTarget(spec, input);
  // The engine's objects first: an engine refuses what it cannot apply before anything else is built.
  const engine = settings.engine.objects(spec, input, settings);
  const paths = appPaths(app, settings);
  const marker: LineComment[] = engine.imageMarker === undefined ? [] : [{ path: IMAGE_PATH, text: engine.imageMarker }];
  const manifests: Array<[string, KubeObject, LineComment[]]> = [
    ['deployment.yaml', renderDeployment(spec, input, settings), marker],
    ['service.yaml', renderService(spec, input, settings), []],
    ['httproute.yaml', renderHttpRoute(spec, input, settings), []],
  ];
  // The database's Cluster sits beside the app, so deleting the app's folder would delete its data too (see delete's --keep-data).
  if (needsDatabase(spec)) manifests.push([DATABASE_FILE, renderDatabase(spec, settings, labels), []]);
  if (settings.networkPolicy.enabled) manifests.push(['networkpolicy.yaml', renderNetworkPolicy(spec, input, settings), []]);
  // Host names the app may call, when the egress mechanism is Cilium (refused when there is none).
  const names = renderCiliumEgress(spec, input, settings);
  if (names) manifests.push(['ciliumnetworkpolicy.yaml', names, []]);
  // Only an app verification saw serving metrics is scraped; the others render as they always did.
  const monitor = renderServiceMonitor(spec, input, settings);
  if (monitor) manifests.push(['servicemonitor.yaml', monitor, []]);
  const emails = input.accessProxy && renderAccessProxyEmails(app, settings.namespace, labels, input.accessProxy);
  if (emails) manifests.push([PROXY_EMAILS_FILE, emails, []]);
  for (const { name, object } of engine.manifests) manifests.push([name, object, []]);
  const rendered: RenderedManifest[] = manifests.map(([name, object, lineComments]) => ({
    path: `${paths.manifests}/${name}`,
    object,
    ...(lineComments.length > 0 ? { lineComments } : {}),
  }));
  // The proxy's Secret is listed here but written by whoever encrypts it (see accessProxySecret): never in clear.
  const listed = [...manifests.map(([name]) => name), ...(input.accessProxy ? [PROXY_SECRET_FILE] : []), ...(input.resources ?? [])];
  rendered.push({ path: `${paths.manifests}/kustomization.yaml`, object: renderAppKustomization(listed) });
  rendered.push(...engine.files);
  return rendered.sort((a, b) => compareCodeUnits(a.path, b.path));
}

/**
 * Writes rendered objects as files: one object per file with the "Rendered by Slipway" header and
 * the object's line comments (Flux's image setter marker), deterministically.
 * @example writeManifests(renderAppObjects(spec, input, settings))[0]?.path // 'kubernetes/apps/dynamic/notes/app/deployment.yaml'
 */
export function writeManifests(manifests: readonly RenderedManifest[]): RenderedFile[] {
  return manifests.map(({ path, object, lineComments }) => ({
    path,
    content: toYaml(object, { header: RENDERED_HEADER, ...(lineComments ? { lineComments } : {}) }),
  }));
}

/**
 * Every file of one app for the GitOps repo, sorted by path (see `renderAppObjects`). Not validated:
 * use `renderAppChecked` where the files are committed.
 * @example renderApp(spec, { image: 'registry.local:5000/dynamic-apps/notes:1.0.0' }, defaultRenderSettings()).map((f) => f.path)
 * // ['kubernetes/apps/dynamic/notes/app/deployment.yaml', …, 'kubernetes/apps/dynamic/notes/ks.yaml']
 */
export function renderApp(spec: AppSpec, input: RenderInput, settings: RenderSettings): RenderedFile[] {
  return writeManifests(renderAppObjects(spec, input, settings));
}

/**
 * The app's files and objects, after every object passed validation against the upstream schemas
 * (`assertValid`): what a step that commits should use.
 * @example const { files } = renderAppChecked(spec, { image }, settings); // throws InputError listing each problem
 */
export function renderAppChecked(
  spec: AppSpec,
  input: RenderInput,
  settings: RenderSettings,
  validation: ValidateOptions = {},
): { files: RenderedFile[]; objects: KubeObject[] } {
  const manifests = renderAppObjects(spec, input, settings);
  const objects = manifests.map((m) => m.object);
  assertValid(objects, validation);
  return { files: writeManifests(manifests), objects };
}
