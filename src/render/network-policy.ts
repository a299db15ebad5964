import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { AppSpec } from '../domain/app-spec.ts';
import { PROXY_PORT } from './access-proxy.ts';
import { egressRules } from './egress.ts';
import { renderTarget } from './input.ts';
import { selectorLabels } from './labels.ts';
import type { RenderSettings } from './settings.ts';
import type { RenderInput } from './types.ts';

/** The label every namespace carries with its own name (Kubernetes sets it; it cannot be forged). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The namespace the gateway runs in: that of the first gateway parentRef, or, when it names none,
 * the route's own namespace (as Gateway API reads a parentRef without a namespace).
 * @example gatewayNamespace(defaultRenderSettings()) // 'gateway'
 */
export function gatewayNamespace(settings: RenderSettings): string {
  return settings.gateway.parentRefs[0]?.namespace ?? settings.namespace;
}

/**
 * A NetworkPolicy that lets only pods in the gateway's namespace reach the app's pods, and only on
 * the container port (and, for an app that serves metrics, Prometheus' namespace, set by
 * `networkPolicy.prometheusNamespace`); everything else in the cluster (other apps included) is refused. With
 * `networkPolicy.egress` (the default) the app may call out only to DNS and what it declared (see
 * egress.ts); host names are allowed by the CiliumNetworkPolicy of `renderCiliumEgress` instead. Gateways whose proxies are not pods in that namespace (Cilium's
 * Envoy has an identity of its own) need `networkPolicy.enabled: false` or a policy of their own.
 * @example renderNetworkPolicy(spec, { image: 'registry.local/notes:1' }, defaultRenderSettings()).spec.ingress[0].ports // [{ protocol: 'TCP', port: 8080 }]
 */
export function renderNetworkPolicy(spec: AppSpec, input: RenderInput, settings: RenderSettings) {
  const { app, labels } = renderTarget(spec, input);
  const egress = settings.networkPolicy.egress;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: app, namespace: settings.namespace, labels },
    spec: {
      podSelector: { matchLabels: selectorLabels(app) },
      policyTypes: egress ? ['Ingress', 'Egress'] : ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: gatewayNamespace(settings) } } }],
          // Behind oauth2-proxy only the proxy's port is open: the app answers no one but the proxy.
          ports: [{ protocol: 'TCP', port: input.accessProxy ? PROXY_PORT : spec.port }],
        },
        // The ServiceMonitor's scrapes come from Prometheus' pods, not through the gateway.
        ...(spec.metrics
          ? [{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: settings.networkPolicy.prometheusNamespace } } }], ports: [{ protocol: 'TCP' as const, port: spec.port }] }]
          : []),
      ],
      ...(egress ? { egress: egressRules(app, input.egress ?? {}) } : {}),
    },
  } satisfies INetworkPolicy;
}
