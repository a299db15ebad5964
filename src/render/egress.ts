import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import { addressKind } from '../domain/external.ts';
import { InputError } from '../domain/errors.ts';
import { compareCodeUnits } from '../domain/compare.ts';
import { NAMESPACE_NAME_LABEL } from './network-policy.ts';
import type { RenderSettings } from './settings.ts';
import type { AppEgress } from './types.ts';

/** The label CloudNativePG puts on a Cluster's pods. */
export const CNPG_CLUSTER_LABEL = 'cnpg.io/cluster';
export const POSTGRES_PORT = 5432;

/** A host name an app may reach, and on which port (undefined: any). */
export interface EgressName {
  host: string;
  port?: { port: number; protocol: 'TCP' | 'UDP' };
}

/**
 * The NetworkPolicy egress rules of an app: DNS to the cluster's kube-dns, then each external it
 * uses that has an IP address (that address alone, /32 or /128, on its port), then its database's
 * pods on 5432. Host names are not here: a NetworkPolicy cannot name one (see `egressNames`).
 * @example egressRules('notes', {}) // [the DNS rule]
 */
export function egressRules(app: string, egress: AppEgress): INetworkPolicyEgressRule[] {
  const rules: INetworkPolicyEgressRule[] = [dnsRule()];
  for (const external of sortedExternals(egress)) {
    const kind = addressKind(external.address);
    if (kind === 'hostname') continue;
    rules.push({
      to: [{ ipBlock: { cidr: `${external.address}/${kind === 'IPv4' ? 32 : 128}` } }],
      ports: [{ protocol: external.protocol, port: external.port }],
    });
  }
  if (egress.database) {
    rules.push({ to: [{ podSelector: { matchLabels: { [CNPG_CLUSTER_LABEL]: `${app}-db` } } }], ports: [{ protocol: 'TCP', port: POSTGRES_PORT }] });
  }
  return rules;
}

/** DNS: the kube-dns pods in kube-system, on UDP and TCP 53 (TCP for answers too large for UDP). */
function dnsRule(): INetworkPolicyEgressRule {
  return {
    to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
  };
}

/**
 * The host names an app may reach, sorted and listed once: the configured `egress.hosts`, its own,
 * and the externals it uses that are host names (on their port). With the `none` mechanism there is
 * no way to allow a name, so an app asking for one is refused rather than silently cut off.
 * @example egressNames('notes', { hosts: ['api.example.com'] }, settings) // InputError with mechanism none
 */
export function egressNames(app: string, egress: AppEgress, settings: RenderSettings): EgressName[] {
  const names = new Map<string, EgressName>();
  for (const host of [...settings.egress.hosts, ...(egress.hosts ?? [])]) names.set(host, { host });
  for (const external of sortedExternals(egress)) {
    if (addressKind(external.address) !== 'hostname') continue;
    const key = `${external.address}:${external.port}/${external.protocol}`;
    names.set(key, { host: external.address, port: { port: external.port, protocol: external.protocol } });
  }
  const own = [...names.values()];
  if (own.length > 0 && settings.egress.mechanism === 'none') {
    throw new InputError(`${app} would call ${own.map((n) => n.host).join(', ')} by name, and a NetworkPolicy allows addresses only`, {
      hint: 'Choose an egress mechanism that follows DNS: `render.egress.mechanism: cilium` in slipway.yaml; or give the external an IP address (slipway external add <name> --address <ip>), or set render.networkPolicy.egress: false.',
    });
  }
  return [...names.entries()].sort(([a], [b]) => compareCodeUnits(a, b)).map(([, name]) => name);
}

function sortedExternals(egress: AppEgress) {
  return [...(egress.externals ?? [])].sort((a, b) => compareCodeUnits(a.name, b.name));
}
