import { renderTarget } from './input.ts';
import { egressNames } from './egress.ts';
import { selectorLabels } from './labels.ts';
import type { RenderSettings } from './settings.ts';
import type { AppSpec } from '../domain/app-spec.ts';
import type { RenderInput } from './types.ts';

/**
 * A CiliumNetworkPolicy (cilium.io/v2) that lets the app reach the host names it may call, or
 * undefined when there are none or the mechanism is not Cilium. Cilium adds it to the app's
 * NetworkPolicy (allow rules of both kinds add up). `toFQDNs` only works when Cilium sees the
 * app's DNS answers, so the policy also sends DNS to kube-dns through Cilium's DNS proxy
 * (`rules.dns`); the proxy lets every lookup through, and the names allowed are only in `toFQDNs`.
 * @example renderCiliumEgress(spec, { image, egress: { hosts: ['api.example.com'] } }, ciliumSettings)?.spec.egress[1] // { toFQDNs: [{ matchName: 'api.example.com' }] }
 */
export function renderCiliumEgress(spec: AppSpec, input: RenderInput, settings: RenderSettings) {
  if (!settings.networkPolicy.enabled || !settings.networkPolicy.egress) return undefined;
  const { app, labels } = renderTarget(spec, input);
  const names = egressNames(app, input.egress ?? {}, settings);
  if (names.length === 0 || settings.egress.mechanism !== 'cilium') return undefined;
  const selector = (host: string) => (host.startsWith('*.') ? { matchPattern: host } : { matchName: host });
  const anyPort = names.filter((name) => name.port === undefined);
  const onPort = names.filter((name) => name.port !== undefined);
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: `${app}-egress`, namespace: settings.namespace, labels },
    spec: {
      endpointSelector: { matchLabels: selectorLabels(app) },
      egress: [
        {
          toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
        },
        ...(anyPort.length > 0 ? [{ toFQDNs: anyPort.map((name) => selector(name.host)) }] : []),
        ...onPort.map((name) => ({
          toFQDNs: [selector(name.host)],
          toPorts: [{ ports: [{ port: String(name.port!.port), protocol: name.port!.protocol }] }],
        })),
      ],
    },
  };
}
