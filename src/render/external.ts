import type { IEndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1/EndpointSlice';
import type { IService } from 'kubernetes-models/v1/Service';
import { addressKind, type External } from '../domain/external.ts';
import { LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY } from './labels.ts';
import type { RenderSettings } from './settings.ts';
import type { KubeObject, RenderedFile } from './types.ts';
import { toYaml } from './yaml-writer.ts';

/** The label an EndpointSlice names its Service with; kube-proxy routes the Service to the slice's endpoints. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The label saying an object stands for a service outside the cluster (and which one). */
export const EXTERNAL_LABEL = 'slipway.dev/external';

const HEADER = 'A service outside the cluster, rendered by Slipway (slipway external add/remove). Edits are overwritten.';

/**
 * Where an external's manifests live in the GitOps repo, and its entry in the parent kustomization.
 * @example externalPaths('nas', settings) // { file: 'kubernetes/apps/dynamic/externals/nas.yaml', entry: './externals/nas.yaml' }
 */
export function externalPaths(name: string, settings: RenderSettings): { file: string; entry: string } {
  return { file: `${settings.gitops.path}/externals/${name}.yaml`, entry: `./externals/${name}.yaml` };
}

/**
 * The objects that let apps reach a service outside the cluster by its name. An IP address gets a
 * Service without selector and an EndpointSlice naming it (the Service's cluster IP forwards to the
 * address, and a NetworkPolicy can pin the address). A host name gets an `ExternalName` Service: the
 * cluster's DNS answers the name with a CNAME, nothing is forwarded, and no NetworkPolicy can allow a
 * host name (only the egress mechanism can, see egress in network-policy.ts).
 * @example renderExternalObjects({ name: 'nas', address: '192.168.1.20', port: 445, protocol: 'TCP' }, settings).map((o) => o.kind) // ['Service', 'EndpointSlice']
 */
export function renderExternalObjects(external: External, settings: RenderSettings): KubeObject[] {
  const { name, address, port, protocol } = external;
  const labels = { [LABEL_NAME]: name, [LABEL_MANAGED_BY]: MANAGED_BY, [EXTERNAL_LABEL]: name };
  const metadata = { name, namespace: settings.namespace, labels };
  const portName = protocol.toLowerCase();
  const kind = addressKind(address);
  if (kind === 'hostname') {
    const service = {
      apiVersion: 'v1', kind: 'Service', metadata,
      spec: { type: 'ExternalName', externalName: address, ports: [{ name: portName, protocol, port, targetPort: port }] },
    } satisfies IService;
    return [service];
  }
  const service = {
    apiVersion: 'v1', kind: 'Service', metadata,
    // No selector: the EndpointSlice below names the endpoints instead of pods.
    spec: { ports: [{ name: portName, protocol, port, targetPort: port }] },
  } satisfies IService;
  const slice = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace: settings.namespace, labels: { ...labels, [SERVICE_NAME_LABEL]: name } },
    addressType: kind,
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    // The port's name matches the Service's, which is how kube-proxy pairs them.
    ports: [{ name: portName, protocol, port }],
  } satisfies IEndpointSlice;
  return [service, slice];
}

/**
 * The external's file for the GitOps repo: its objects as one multi-document YAML file.
 * @example renderExternalFile(nas, settings).path // 'kubernetes/apps/dynamic/externals/nas.yaml'
 */
export function renderExternalFile(external: External, settings: RenderSettings): RenderedFile {
  return { path: externalPaths(external.name, settings).file, content: toYaml(renderExternalObjects(external, settings), { header: HEADER }) };
}
