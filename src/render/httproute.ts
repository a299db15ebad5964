import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { AppSpec } from '../domain/app-spec.ts';
import { renderTarget } from './input.ts';
import { SERVICE_PORT } from './service.ts';
import type { RenderSettings } from './settings.ts';
import type { RenderInput } from './types.ts';

/**
 * The host an app is served at: `<app>.<appsDomain>`. With the default domain this is
 * `<app>.${APPS_SUBDOMAIN}`, which Flux substitutes in the cluster.
 * @example appHostname('pomodoro-timer', defaultRenderSettings()) // 'pomodoro-timer.${APPS_SUBDOMAIN}'
 */
export function appHostname(app: string, settings: RenderSettings): string {
  return `${app}.${settings.appsDomain}`;
}

/**
 * The app's Gateway API HTTPRoute: its host name, every path, to the Service's port 80.
 * @example renderHttpRoute(spec, { image: 'registry.local/notes:1' }, defaultRenderSettings()).spec.hostnames // ['notes.${APPS_SUBDOMAIN}']
 */
export function renderHttpRoute(spec: AppSpec, input: RenderInput, settings: RenderSettings) {
  const { app, labels } = renderTarget(spec, input);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: app, namespace: settings.namespace, labels },
    spec: {
      // Rebuilt field by field so the settings' key order never reaches the output.
      parentRefs: settings.gateway.parentRefs.map((ref) => ({
        name: ref.name,
        ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
        ...(ref.sectionName === undefined ? {} : { sectionName: ref.sectionName }),
      })),
      hostnames: [appHostname(app, settings)],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ name: app, port: SERVICE_PORT }],
        },
      ],
    },
  } satisfies IHTTPRoute;
}
