import type { AppSpec } from '../domain/app-spec.ts';
import { renderTarget } from './input.ts';
import { selectorLabels } from './labels.ts';
import { SERVICE_PORT_NAME } from './service.ts';
import type { RenderSettings } from './settings.ts';
import type { KubeObject, RenderInput } from './types.ts';

/** How often Prometheus scrapes an app: often enough for a 5-minute rate, light on a Raspberry Pi. */
export const SCRAPE_INTERVAL = '30s';

/** The Prometheus Operator's ServiceMonitor (`monitoring.coreos.com/v1`), as far as Slipway writes it. */
export interface ServiceMonitor extends KubeObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'ServiceMonitor';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    selector: { matchLabels: Record<string, string> };
    endpoints: Array<{ port: string; path: string; interval: string; scheme: 'http' }>;
  };
}

/**
 * The ServiceMonitor that tells the Prometheus Operator to scrape an app that serves metrics: it
 * selects the app's Service by the app's selector labels and scrapes the Service's named port at the
 * path verification found. Undefined when the app serves none (`spec.metrics` unset), so an app
 * without metrics renders exactly as before.
 * @example renderServiceMonitor({ ...spec, metrics: { path: '/metrics' } }, input, settings)?.spec.endpoints[0] // { port: 'http', path: '/metrics', interval: '30s', scheme: 'http' }
 */
export function renderServiceMonitor(spec: AppSpec, input: RenderInput, settings: RenderSettings): ServiceMonitor | undefined {
  if (!spec.metrics) return undefined;
  const { app, labels } = renderTarget(spec, input);
  return serviceMonitor({ name: app, namespace: settings.namespace, labels, service: app, path: spec.metrics.path });
}

/**
 * A ServiceMonitor scraping the `http` port of the Service whose labels include `service`'s selector
 * labels, at `path`, every 30 s: an app's, or Slipway's own.
 * @example serviceMonitor({ name: 'slipway', namespace: 'slipway', labels: {}, service: 'slipway', path: '/metrics' }).spec.selector
 * // { matchLabels: { 'app.kubernetes.io/name': 'slipway', 'app.kubernetes.io/instance': 'slipway' } }
 */
export function serviceMonitor(options: { name: string; namespace: string; labels: Record<string, string>; service: string; path: string }): ServiceMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    spec: {
      selector: { matchLabels: selectorLabels(options.service) },
      endpoints: [{ port: SERVICE_PORT_NAME, path: options.path, interval: SCRAPE_INTERVAL, scheme: 'http' }],
    },
  };
}
