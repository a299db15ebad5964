import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { AppSpec } from '../domain/app-spec.ts';
import { renderTarget } from './input.ts';
import { SERVICE_PORT } from './service.ts';
import type { RenderSettings } from './settings.ts';
import type { Labels, RenderInput } from './types.ts';

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
  return renderRoute({ name: app, namespace: settings.namespace, labels, hostname: appHostname(app, settings), port: SERVICE_PORT, parentRefs: settings.gateway.parentRefs });
}

/** What a route needs: the Service it sends to (same name and namespace), its port, the host and the gateway's listeners. */
export interface RouteTarget {
  name: string;
  namespace: string;
  labels: Labels;
  hostname: string;
  port: number;
  parentRefs: RenderSettings['gateway']['parentRefs'];
}

/**
 * An HTTPRoute sending every path of one host to a Service on the configured gateway: the apps'
 * routes, and Slipway's own and its registry's (`slipway bootstrap`).
 * @example renderRoute({ name: 'slipway', namespace: 'slipway', labels: {}, hostname: 'slipway.lan', port: 80, parentRefs: [{ name: 'gateway' }] }).spec.hostnames // ['slipway.lan']
 */
export function renderRoute(target: RouteTarget) {
  const { name, namespace, labels, hostname, port, parentRefs } = target;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace, labels },
    spec: {
      // Rebuilt field by field so the settings' key order never reaches the output.
      parentRefs: parentRefs.map((ref) => ({
        name: ref.name,
        ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
        ...(ref.sectionName === undefined ? {} : { sectionName: ref.sectionName }),
      })),
      hostnames: [hostname],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [{ name, port }],
        },
      ],
    },
  } satisfies IHTTPRoute;
}
