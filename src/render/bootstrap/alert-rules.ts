/**
 * The alerts `slipway bootstrap` commits, as Prometheus rule groups, tiered as the homelab plan
 * tiers them: tier 1 (`severity: critical`) wants someone now, tier 2 (`severity: warning`) goes
 * into a daily digest. Every expression uses metrics that exist: Slipway's own (src/server/metrics.ts),
 * the kubelet's volume statistics, kube-state-metrics' Flux resource state or Argo CD's, and the
 * conventional HTTP metrics of apps that serve /metrics.
 */

/** One alerting rule as Prometheus reads it (the `spec.groups[].rules[]` of a PrometheusRule). */
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: 'critical' | 'warning'; tier: '1' | '2' };
  annotations: { summary: string; description: string; runbook: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** What the rules need to know about the cluster. */
export interface AlertRulesInput {
  /** Slipway's namespace: its PVC and the registry's are there. */
  namespace: string;
  /** Every apps namespace (DNS labels, so safe in a regex). */
  appsNamespaces: string[];
  engine: 'flux' | 'argocd';
  /** The PVC of Slipway's registry, when the bootstrap runs one. */
  registryClaim?: string | undefined;
}

const TIER_1 = { severity: 'critical', tier: '1' } as const;
const TIER_2 = { severity: 'warning', tier: '2' } as const;

/** Kinds of run that ship a version: a failed delete is no failed deploy. */
const DEPLOY_KINDS = 'create|change|rollback|promote';

/**
 * The rule groups, in a fixed order.
 * @example alertRuleGroups({ namespace: 'slipway', appsNamespaces: ['dynamic-apps'], engine: 'flux' }).map((g) => g.name)
 * // ['slipway-runs', 'slipway-gitops', 'slipway-storage', 'slipway-apps']
 */
export function alertRuleGroups(input: AlertRulesInput): RuleGroup[] {
  return [
    { name: 'slipway-runs', rules: runRules() },
    { name: 'slipway-gitops', rules: [input.engine === 'flux' ? fluxRule() : argoCdRule(input)] },
    { name: 'slipway-storage', rules: storageRules(input) },
    { name: 'slipway-apps', rules: appRules(appsSelector(input)) },
  ];
}

/** `namespace=~"dynamic-apps|staging-apps"`: the apps' series, whatever environment they run in. */
export function appsSelector(input: Pick<AlertRulesInput, 'appsNamespaces'>): string {
  return `namespace=~"${input.appsNamespaces.join('|')}"`;
}

function runRules(): AlertRule[] {
  return [
    {
      alert: 'SlipwayRunFailures',
      expr: 'sum(increase(slipway_run_failures_total[1h])) > 3',
      labels: TIER_1,
      annotations: {
        summary: 'More than 3 Slipway runs failed in the last hour',
        description: '{{ $value | humanize }} runs failed in the last hour; slipway_run_failures_total says at which step.',
        runbook: 'Run `slipway runs` to see which runs failed, at which step and why; fix the cause, then `slipway resume <run>`.',
      },
    },
    {
      alert: 'SlipwayDeploySuccessRateLow',
      expr: `sum(increase(slipway_runs_total{kind=~"${DEPLOY_KINDS}",outcome="succeeded"}[1d])) / sum(increase(slipway_runs_total{kind=~"${DEPLOY_KINDS}",outcome=~"succeeded|failed"}[1d])) < 0.8`,
      for: '1h',
      labels: TIER_2,
      annotations: {
        summary: 'Fewer than 80 % of Slipway deploys succeeded today',
        description: 'Only {{ $value | humanizePercentage }} of the creates, changes, rollbacks and promotions of the last day succeeded.',
        runbook: 'Open the Slipway dashboard\'s "Failures by stage" panel: one stage failing often (image:build, cluster:await) points at the registry, the cluster or the generator.',
      },
    },
  ];
}

/**
 * Flux 2.1 and later no longer export `gotk_reconcile_condition`; Flux's monitoring guide has
 * kube-state-metrics' custom resource state export `gotk_resource_info` (labels `customresource_kind`,
 * `exported_namespace`, `name`, `ready`, `suspended`), as fluxcd/flux2-monitoring-example configures it.
 */
function fluxRule(): AlertRule {
  return {
    alert: 'FluxReconciliationFailing',
    expr: 'max by (customresource_kind, exported_namespace, name) (gotk_resource_info{ready="False",suspended!="true"}) > 0',
    for: '10m',
    labels: TIER_1,
    annotations: {
      summary: 'Flux cannot reconcile {{ $labels.customresource_kind }} {{ $labels.exported_namespace }}/{{ $labels.name }}',
      description: 'The {{ $labels.customresource_kind }} has not been Ready for 10 minutes: Slipway\'s commits to the GitOps repo are not reaching the cluster.',
      runbook: 'Run `flux get all -A` and `kubectl -n {{ $labels.exported_namespace }} describe {{ $labels.customresource_kind }} {{ $labels.name }}`; fix the manifest or source it names, then `flux reconcile`.',
    },
  };
}

/** Argo CD's application controller exports `argocd_app_info` with each Application's health and sync status. */
function argoCdRule(input: AlertRulesInput): AlertRule {
  return {
    alert: 'ArgoCdApplicationUnhealthy',
    expr: `max by (name, dest_namespace) (argocd_app_info{dest_namespace=~"${input.appsNamespaces.join('|')}",health_status=~"Degraded|Missing"}) > 0`,
    for: '10m',
    labels: TIER_1,
    annotations: {
      summary: 'Argo CD Application {{ $labels.name }} is unhealthy',
      description: 'The Application has been Degraded or Missing for 10 minutes: an app Slipway shipped is not running as committed.',
      runbook: 'Run `argocd app get {{ $labels.name }}` (or open it in the Argo CD UI) for the failing resource; `slipway rollback <app>` brings back the last good version.',
    },
  };
}

function storageRules(input: AlertRulesInput): AlertRule[] {
  const ns = `namespace="${input.namespace}"`;
  const rules: AlertRule[] = [
    {
      alert: 'SlipwayStorageAlmostFull',
      expr: `kubelet_volume_stats_used_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}} > 0.95`,
      for: '5m',
      labels: TIER_1,
      annotations: {
        summary: 'Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is over 95 % full',
        description: 'The volume is {{ $value | humanizePercentage }} full; Slipway\'s state or the registry stops writing when it fills.',
        runbook: 'Run `slipway gc` to drop images no version uses, or grow the PVC (bootstrap.slipway.storage / bootstrap.registry.storage) and run `slipway bootstrap` again.',
      },
    },
  ];
  if (input.registryClaim !== undefined) {
    const claim = `${ns},persistentvolumeclaim="${input.registryClaim}"`;
    rules.push({
      alert: 'SlipwayRegistryStorageHigh',
      expr: `kubelet_volume_stats_used_bytes{${claim}} / kubelet_volume_stats_capacity_bytes{${claim}} > 0.85`,
      for: '15m',
      labels: TIER_2,
      annotations: {
        summary: 'The registry\'s volume is over 85 % full',
        description: 'The registry uses {{ $value | humanizePercentage }} of its volume.',
        runbook: 'Run `slipway gc` (unused images), let the registry\'s garbage-collection CronJob run, or raise bootstrap.registry.storage and run `slipway bootstrap` again.',
      },
    });
  }
  return rules;
}

/**
 * Apps that serve /metrics are expected to follow the Prometheus client libraries' conventions:
 * `http_requests_total` with a `code` label, and an `http_request_duration_seconds` histogram. The
 * ServiceMonitor's scrape adds `namespace` and `service` (the app's name).
 */
function appRules(apps: string): AlertRule[] {
  return [
    {
      alert: 'SlipwayAppErrorRate',
      expr: `sum by (namespace, service) (rate(http_requests_total{${apps},code=~"5.."}[5m])) / sum by (namespace, service) (rate(http_requests_total{${apps}}[5m])) > 0.05`,
      for: '10m',
      labels: TIER_2,
      annotations: {
        summary: 'App {{ $labels.service }} answers more than 5 % of requests with errors',
        description: '{{ $value | humanizePercentage }} of the requests to {{ $labels.service }} in {{ $labels.namespace }} got a 5xx over the last 10 minutes.',
        runbook: 'Run `slipway logs {{ $labels.service }}` for the errors; `slipway rollback {{ $labels.service }}` if a recent change caused them.',
      },
    },
    {
      alert: 'SlipwayAppSlow',
      expr: `histogram_quantile(0.95, sum by (namespace, service, le) (rate(http_request_duration_seconds_bucket{${apps}}[5m]))) > 2`,
      for: '10m',
      labels: TIER_2,
      annotations: {
        summary: 'App {{ $labels.service }} takes more than 2 s to answer',
        description: 'The 95th percentile of {{ $labels.service }}\'s response time is {{ $value | humanizeDuration }}.',
        runbook: 'Check the app\'s CPU and memory against its limits (render.resources) and `slipway logs {{ $labels.service }}`; a Pi under memory pressure answers slowly.',
      },
    },
  ];
}
