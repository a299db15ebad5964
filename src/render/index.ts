/**
 * Render: pure functions from an `AppSpec` and cluster settings to Kubernetes objects, one writer
 * that turns them into YAML files, and a validator that checks every object against the schemas
 * the cluster uses. Each GitOps engine's own objects come from its render part (pure too, from its
 * folder in src/adapters/gitops), which the composition root resolves and hands in as `settings.engine`. No I/O (but the validator's lazy read of the CRDs it ships, and of the validator
 * cache it is given), clock, randomness or environment; the same input gives the same bytes.
 */
export { renderApp, renderAppChecked, renderAppObjects, writeManifests } from './app.ts';
export * from './settings.ts';
export type * from './types.ts';
export { APP_UID, CONFIG_CHECKSUM_ANNOTATION, DATA_DIR, IMAGE_PATH, renderDeployment } from './deployment.ts';
export { configChecksum, secretDigest } from './config-checksum.ts';
export { renderService, SERVICE_PORT, SERVICE_PORT_NAME } from './service.ts';
export { renderServiceMonitor, SCRAPE_INTERVAL, serviceMonitor, type ServiceMonitor } from './servicemonitor.ts';
export { appHostname, renderHttpRoute, renderRoute, type RouteTarget } from './httproute.ts';
export { gatewayNamespace, NAMESPACE_NAME_LABEL, renderNetworkPolicy } from './network-policy.ts';
export { isImageDigest, splitImage, type ImageParts } from './image.ts';
export {
  appPaths,
  renderAppKustomization,
  renderParentKustomization,
  type AppPaths,
} from './kustomization.ts';
export { appEntry, PARENT_HEADER } from './parent-kustomization.ts';
export { podSecurityProblems } from './pod-security.ts';
export { appLabels, DESCRIPTION_ANNOTATION, descriptionAnnotation, MANAGED_BY, PART_OF, selectorLabels } from './labels.ts';
export { documentToYaml, RENDERED_HEADER, toYaml, YAML_PARSE_OPTIONS, type ToYamlOptions } from './yaml-writer.ts';
export { assertValid, CrdSchemas, formatProblem, validateObjects, type ValidateOptions, type ValidationProblem } from './validate/index.ts';
export {
  accessProxyNames, accessProxySecret, cookieSecretFromHex, PROXY_EMAILS_FILE, PROXY_PORT, PROXY_SECRET_FILE, type AccessProxySettings,
} from './access-proxy.ts';
