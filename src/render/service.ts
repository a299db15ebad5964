import type { IService } from 'kubernetes-models/v1/Service';
import type { AppSpec } from '../domain/app-spec.ts';
import { PROXY_PORT_NAME } from './access-proxy.ts';
import { renderTarget } from './input.ts';
import { selectorLabels } from './labels.ts';
import type { RenderSettings } from './settings.ts';
import type { RenderInput } from './types.ts';

/** The port the Service (and so the HTTPRoute) speaks on, whatever the app listens on. */
export const SERVICE_PORT = 80;
/** The Service port's name: what a ServiceMonitor scrapes by. */
export const SERVICE_PORT_NAME = 'http';

/**
 * The app's ClusterIP Service: port 80 to the container's named `http` port, so a change of the
 * app's port touches only the Deployment.
 * @example renderService(spec, { image: 'registry.local/notes:1' }, defaultRenderSettings()).spec.ports[0].port // 80
 */
export function renderService(spec: AppSpec, input: RenderInput, settings: RenderSettings) {
  const { app, labels } = renderTarget(spec, input);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app, namespace: settings.namespace, labels },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(app),
      // Behind oauth2-proxy, everything goes through the proxy; the app's own port is not the Service's.
      ports: [{ name: SERVICE_PORT_NAME, port: SERVICE_PORT, targetPort: input.accessProxy ? PROXY_PORT_NAME : 'http', protocol: 'TCP' }],
    },
  } satisfies IService;
}
