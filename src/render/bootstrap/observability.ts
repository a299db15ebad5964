import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { serviceMonitor, type ServiceMonitor } from '../servicemonitor.ts';
import type { KubeObject } from '../types.ts';
import { alertRuleGroups, type RuleGroup } from './alert-rules.ts';
import { slipwayDashboard } from './grafana-dashboard.ts';
import { BOOTSTRAP_LABELS } from './namespace.ts';
import type { BootstrapSettings } from './settings.ts';
import type { BootstrapPart, SecretValues } from './types.ts';

/** Slipway's own Service (see the slipway part): what its ServiceMonitor scrapes. */
const SLIPWAY_SERVICE = 'slipway';
/** The PVC of the registry the bootstrap may run beside Slipway. */
export const REGISTRY_CLAIM = 'registry';
/** The label Grafana's dashboard sidecar (kube-prometheus-stack) looks for. */
export const DASHBOARD_LABEL = 'grafana_dashboard';
/** The annotation the sidecar reads as the folder to put the dashboard in (its `folderAnnotation`). */
export const FOLDER_ANNOTATION = 'grafana_folder';

/** What the observability part reads from the bootstrap settings. */
export interface ObservabilityInput {
  /** `bootstrap.observability.enabled`: false writes nothing. */
  enabled: boolean;
  /** Slipway's namespace: the dashboard, the rules and Slipway's ServiceMonitor go there. */
  namespace: string;
  /** Every environment's apps namespace, for the app panels and alerts. */
  appsNamespaces: string[];
  engine: 'flux' | 'argocd';
  /** Whether the bootstrap runs Slipway's registry (its volume is then watched). */
  registry: boolean;
}

export interface PrometheusRule extends KubeObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { groups: RuleGroup[] };
}

const LABELS: Record<string, string> = { ...BOOTSTRAP_LABELS };

/**
 * The part's input from the bootstrap settings: `bootstrap.observability.enabled`, Slipway's
 * namespace, every environment's apps namespace, the engine, and whether the registry runs.
 * @example observabilityInput(settings).appsNamespaces // ['dynamic-apps']
 */
export function observabilityInput(settings: BootstrapSettings): ObservabilityInput {
  return {
    enabled: settings.bootstrap.observability.enabled,
    namespace: settings.namespace,
    appsNamespaces: settings.environments.map((env) => env.namespace),
    engine: settings.engine,
    registry: settings.bootstrap.registry.enabled,
  };
}

/**
 * Dashboards and alerts (the homelab plan's monitoring phase) for a cluster running the Prometheus
 * Operator and Grafana's dashboard sidecar (kube-prometheus-stack): a ConfigMap holding the Grafana
 * dashboard, a PrometheusRule with the tiered alerts, and a ServiceMonitor that scrapes Slipway's own
 * `/metrics`, whose names the dashboard and the alerts use. Pure; it asks for no secret values.
 * @example observabilityPart({ enabled: true, namespace: 'slipway', appsNamespaces: ['dynamic-apps'], engine: 'flux', registry: false }, values).files.map((f) => f.path)
 * // ['observability/dashboard.yaml', 'observability/alerts.yaml', 'observability/servicemonitor.yaml']
 */
export function observabilityPart(input: ObservabilityInput, _values: SecretValues): BootstrapPart {
  if (!input.enabled) return { name: 'observability', files: [], secrets: [] };
  return {
    name: 'observability',
    files: [
      { path: 'observability/dashboard.yaml', objects: [dashboardConfigMap(input)] },
      { path: 'observability/alerts.yaml', objects: [prometheusRule(input)] },
      { path: 'observability/servicemonitor.yaml', objects: [slipwayServiceMonitor(input)] },
    ],
    secrets: [],
    notes: [
      `Grafana's dashboard sidecar must search the ${input.namespace} namespace (searchNamespace) and read the ${FOLDER_ANNOTATION} annotation (folderAnnotation) to file it under Slipway.`,
    ],
  };
}

function dashboardConfigMap(input: ObservabilityInput) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'slipway-dashboard',
      namespace: input.namespace,
      labels: { ...LABELS, [DASHBOARD_LABEL]: '1' },
      annotations: { [FOLDER_ANNOTATION]: 'Slipway' },
    },
    data: { 'slipway.json': `${JSON.stringify(slipwayDashboard(input), null, 2)}\n` },
  } satisfies IConfigMap;
}

function prometheusRule(input: ObservabilityInput): PrometheusRule {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'slipway', namespace: input.namespace, labels: LABELS },
    spec: {
      groups: alertRuleGroups({
        namespace: input.namespace, appsNamespaces: input.appsNamespaces, engine: input.engine, registryClaim: input.registry ? REGISTRY_CLAIM : undefined,
      }),
    },
  };
}

/** Slipway's `/metrics` answers without a token (only `/v1` asks for one), so the scrape needs no secret. */
function slipwayServiceMonitor(input: ObservabilityInput): ServiceMonitor {
  return serviceMonitor({ name: SLIPWAY_SERVICE, namespace: input.namespace, labels: LABELS, service: SLIPWAY_SERVICE, path: '/metrics' });
}
