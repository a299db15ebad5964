import { compareCodeUnits } from '../domain/compare.ts';
import type { KubeObject } from './types.ts';

/** What an app's ExternalSecret says: which store, where in it, and the keys the app reads. */
export interface ExternalSecretInput {
  /** The ExternalSecret's name, and the Secret's the operator makes from it. */
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  store: { kind: 'ClusterSecretStore' | 'SecretStore'; name: string };
  /** The store's path holding the app's values (`remoteRef.key`), e.g. `slipway/prod/notes`. */
  remoteKey: string;
  /** The keys: each is a property at `remoteKey` and a key of the Secret. */
  keys: readonly string[];
  refreshInterval: string;
}

/**
 * An ExternalSecret (external-secrets.io/v1) asking the External Secrets Operator to keep the Secret
 * `name` filled from the store: each key is the property of the same name at `remoteKey`. The Secret
 * belongs to the ExternalSecret (`creationPolicy: Owner`), so removing the app removes it too.
 * @example renderExternalSecret({ name: 'notes-env', namespace: 'apps', labels: {}, store: { kind: 'ClusterSecretStore', name: 'vault' }, remoteKey: 'slipway/prod/notes', keys: ['API_KEY'], refreshInterval: '1h' })
 */
export function renderExternalSecret(input: ExternalSecretInput): KubeObject {
  const annotations = input.annotations && Object.keys(input.annotations).length > 0 ? { annotations: sorted(input.annotations) } : {};
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: input.name, namespace: input.namespace, labels: sorted(input.labels), ...annotations },
    spec: {
      refreshInterval: input.refreshInterval,
      secretStoreRef: { kind: input.store.kind, name: input.store.name },
      target: { name: input.name, creationPolicy: 'Owner' },
      data: [...input.keys].sort(compareCodeUnits).map((key) => ({ secretKey: key, remoteRef: { key: input.remoteKey, property: key } })),
    },
  };
}

/**
 * The store path of one app's values: the configured template with `{env}` and `{app}` replaced
 * (an empty environment drops its segment).
 * @example remoteKeyFor('slipway/{env}/{app}', 'prod', 'notes') // 'slipway/prod/notes'
 */
export function remoteKeyFor(template: string, env: string, app: string): string {
  return template.replaceAll('{env}', env).replaceAll('{app}', app).split('/').filter(Boolean).join('/');
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort(compareCodeUnits).map((key) => [key, record[key]!]));
}
