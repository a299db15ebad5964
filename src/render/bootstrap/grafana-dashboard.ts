/**
 * The Grafana dashboard for Slipway and its apps, in Grafana's classic dashboard JSON model. Built
 * as plain data in a fixed order, so the same settings give the same JSON; panel ids are fixed
 * numbers, so links to a panel survive a new bootstrap.
 */

/** The dashboard's uid: Grafana's URL for it (`/d/slipway-overview`) stays the same across bootstraps. */
export const DASHBOARD_UID = 'slipway-overview';
/** The dashboard JSON schema version Grafana 10.4 and 11 write. */
export const DASHBOARD_SCHEMA_VERSION = 39;
/** The template variable that picks the Prometheus data source (no uid is assumed: each Grafana has its own). */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface DashboardTarget {
  refId: string;
  expr: string;
  legendFormat: string;
  datasource: typeof DATASOURCE;
}

export interface DashboardPanel {
  id: number;
  type: 'timeseries' | 'stat' | 'barchart';
  title: string;
  description: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource: typeof DATASOURCE;
  targets: DashboardTarget[];
  fieldConfig: { defaults: { unit: string }; overrides: [] };
  options: Record<string, unknown>;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  version: number;
  editable: boolean;
  graphTooltip: number;
  timezone: string;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: Array<Record<string, unknown>> };
  annotations: { list: [] };
  links: [];
  panels: DashboardPanel[];
}

interface PanelSpec {
  id: number;
  type?: DashboardPanel['type'];
  title: string;
  description: string;
  unit: string;
  queries: Array<[expr: string, legend: string]>;
}

/** Panels sit two to a row, each half of Grafana's 24 columns. */
const WIDTH = 12;
const HEIGHT = 8;

/**
 * The dashboard: Slipway's deploys, failures by stage, build and rollout durations, its queue, and
 * each app's requests, errors and latency (apps that serve /metrics, scraped by their ServiceMonitor);
 * then, as the homelab plan's dashboards have them, the volumes of Slipway and its registry and each
 * app's memory (the kubelet's metrics, which every app has).
 * @example slipwayDashboard({ namespace: 'slipway', appsNamespaces: ['dynamic-apps'] }).panels.map((p) => p.id) // [1, 2, …, 10]
 */
export function slipwayDashboard(input: { namespace: string; appsNamespaces: string[] }): Dashboard {
  const apps = `namespace=~"${input.appsNamespaces.join('|')}"`;
  const quantiles = (steps: string): PanelSpec['queries'] => [
    [`histogram_quantile(0.5, sum by (le) (rate(slipway_step_duration_seconds_bucket{step=~"${steps}",status="succeeded"}[1h])))`, 'median'],
    [`histogram_quantile(0.9, sum by (le) (rate(slipway_step_duration_seconds_bucket{step=~"${steps}",status="succeeded"}[1h])))`, '90th percentile'],
  ];
  const panels: PanelSpec[] = [
    {
      id: 1, title: 'Deploys per hour', unit: 'short', description: 'Runs that ended in the last hour, by kind and outcome.',
      queries: [['sum by (kind, outcome) (increase(slipway_runs_total[1h]))', '{{kind}} {{outcome}}']],
    },
    {
      id: 2, type: 'barchart', title: 'Failures by stage', unit: 'short', description: 'Failed runs in the last day, by the step they failed at.',
      queries: [['sum by (stage) (increase(slipway_run_failures_total[1d]))', '{{stage}}']],
    },
    { id: 3, title: 'Build duration', unit: 's', description: 'How long image builds took (image:build).', queries: quantiles('image:build') },
    { id: 4, title: 'Rollout duration', unit: 's', description: 'How long a shipped version took to be ready (cluster:await, app:await).', queries: quantiles('cluster:await|app:await') },
    {
      id: 5, type: 'stat', title: 'Runs waiting', unit: 'short', description: 'Runs in Slipway\'s queue.',
      queries: [['sum(slipway_queue_depth)', 'queued']],
    },
    {
      id: 6, title: 'Requests per app', unit: 'reqps', description: 'Requests each app served (apps that serve /metrics).',
      queries: [[`sum by (service) (rate(http_requests_total{${apps}}[5m]))`, '{{service}}']],
    },
    {
      id: 7, title: 'Errors per app', unit: 'percentunit', description: 'Share of each app\'s requests answered with a 5xx.',
      queries: [[`sum by (service) (rate(http_requests_total{${apps},code=~"5.."}[5m])) / sum by (service) (rate(http_requests_total{${apps}}[5m]))`, '{{service}}']],
    },
    {
      id: 8, title: 'Latency per app (95th percentile)', unit: 's', description: 'How long each app took to answer.',
      queries: [[`histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{${apps}}[5m])))`, '{{service}}']],
    },
    {
      id: 9, title: 'Volumes used', unit: 'percentunit', description: 'How full the volumes of Slipway\'s state and its registry are.',
      queries: [[`max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{namespace="${input.namespace}"} / kubelet_volume_stats_capacity_bytes{namespace="${input.namespace}"})`, '{{persistentvolumeclaim}}']],
    },
    {
      id: 10, title: 'Memory per app', unit: 'bytes', description: 'Memory each app\'s pods use (the kubelet\'s view, for every app).',
      queries: [[`sum by (pod) (container_memory_working_set_bytes{${apps},container!=""})`, '{{pod}}']],
    },
  ];
  return {
    uid: DASHBOARD_UID,
    title: 'Slipway',
    description: 'Slipway\'s runs and the apps it shipped',
    tags: ['slipway'],
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    version: 1,
    editable: true,
    graphTooltip: 1,
    timezone: 'browser',
    refresh: '1m',
    time: { from: 'now-24h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', options: [] }],
    },
    annotations: { list: [] },
    links: [],
    panels: panels.map((spec, index) => panel(spec, index)),
  };
}

function panel(spec: PanelSpec, index: number): DashboardPanel {
  return {
    id: spec.id,
    type: spec.type ?? 'timeseries',
    title: spec.title,
    description: spec.description,
    gridPos: { h: HEIGHT, w: WIDTH, x: (index % 2) * WIDTH, y: Math.floor(index / 2) * HEIGHT },
    datasource: DATASOURCE,
    targets: spec.queries.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), expr, legendFormat, datasource: DATASOURCE })),
    fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
    options: {},
  };
}
