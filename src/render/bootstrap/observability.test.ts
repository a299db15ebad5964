import { describe, expect, it } from 'vitest';
import { dashboardProblems } from '../../../test/support/grafana-dashboard.ts';
import { asRecordingRules, checkRules } from '../../../test/support/promtool.ts';
import { validateObjects } from '../validate/index.ts';
import { RENDERED_HEADER, toYaml } from '../yaml-writer.ts';
import { slipwayDashboard } from './grafana-dashboard.ts';
import { bootstrapParts } from './index.ts';
import { observabilityInput, observabilityPart, type ObservabilityInput, type PrometheusRule } from './observability.ts';
import { bootstrapSettings, NamedValues } from './test-fixtures.ts';
import type { BootstrapPart, SecretValues } from './types.ts';

const values: SecretValues = {
  get: (name) => {
    throw new Error(`the observability part asked for the secret value ${name}`);
  },
};
const input: ObservabilityInput = { enabled: true, namespace: 'slipway', appsNamespaces: ['dynamic-apps', 'staging-apps'], engine: 'flux', registry: true };

const objects = (part: BootstrapPart) => part.files.flatMap((f) => f.objects);
const rulesOf = (part: BootstrapPart) => objects(part).find((o): o is PrometheusRule => o.kind === 'PrometheusRule')!;
const dashboardOf = (part: BootstrapPart) => JSON.parse((objects(part).find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>)['slipway.json']!);
const alerts = (part: BootstrapPart) => rulesOf(part).spec.groups.flatMap((g) => g.rules);

describe('observabilityPart', () => {
  it('writes the dashboard, the alerts and Slipway\'s ServiceMonitor, valid against Kubernetes\' schemas and the upstream CRDs', () => {
    const part = observabilityPart(input, values);
    expect(part.files.map((f) => f.path)).toEqual(['observability/dashboard.yaml', 'observability/alerts.yaml', 'observability/servicemonitor.yaml']);
    expect(part.secrets).toEqual([]);
    expect(validateObjects(objects(part))).toEqual([]);
    // The CRD check is real: a rule with an unknown field is refused.
    const rule = rulesOf(part);
    const broken = { ...rule, spec: { groups: [{ ...rule.spec.groups[0]!, rules: [{ ...rule.spec.groups[0]!.rules[0]!, severity: 'critical' }] }] } };
    expect(validateObjects([broken]).map((p) => p.path).join('\n')).toMatch(/severity/);
  });

  it('puts the dashboard in a ConfigMap Grafana\'s sidecar picks up, filed under Slipway, in Slipway\'s namespace', () => {
    const map = objects(observabilityPart(input, values)).find((o) => o.kind === 'ConfigMap')!;
    expect(map.metadata).toMatchObject({ namespace: 'slipway', labels: { grafana_dashboard: '1' }, annotations: { grafana_folder: 'Slipway' } });
  });

  it('writes nothing when observability is turned off', () => {
    expect(observabilityPart({ ...input, enabled: false }, values)).toEqual({ name: 'observability', files: [], secrets: [] });
  });

  it('is a part of slipway bootstrap, read from slipway.yaml: on by default, every environment\'s apps, the registry when it runs', () => {
    const part = (config: Record<string, unknown>) => bootstrapParts(bootstrapSettings(config), new NamedValues()).find((p) => p.name === 'observability')!;
    expect(part({}).files).toHaveLength(3);
    expect(part({ bootstrap: { observability: { enabled: false } } }).files).toEqual([]);
    expect(observabilityInput(bootstrapSettings({}))).toEqual({ enabled: true, namespace: 'slipway', appsNamespaces: ['dynamic-apps'], engine: 'flux', registry: false });
    const withRegistry = observabilityInput(bootstrapSettings({ bootstrap: { registry: { enabled: true } } }));
    expect(withRegistry.registry).toBe(true);
  });

  it('gives the same bytes every time', () => {
    const yaml = (part: BootstrapPart) => part.files.map((f) => f.objects.map((o) => toYaml(o, { header: RENDERED_HEADER })).join('---\n'));
    expect(yaml(observabilityPart(input, values))).toEqual(yaml(observabilityPart({ ...input }, values)));
  });

  it('matches the reviewed files', async () => {
    const part = observabilityPart(input, values);
    const text = part.files.map((f) => `# file: ${f.path}\n${f.objects.map((o) => toYaml(o, { header: RENDERED_HEADER })).join('---\n')}`).join('---\n');
    await expect(text).toMatchFileSnapshot('../__snapshots__/bootstrap-observability.yaml');
  });
});

describe('the alert rules', () => {
  it('pass promtool check rules, for Flux and for Argo CD', async () => {
    for (const engine of ['flux', 'argocd'] as const) {
      const result = await checkRules(rulesOf(observabilityPart({ ...input, engine }, values)).spec.groups);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.ok, result.output).toBe(true);
    }
  });

  it('fail promtool when an expression does not parse (the check can fail)', async () => {
    const groups = rulesOf(observabilityPart(input, values)).spec.groups;
    const broken = [{ ...groups[0]!, rules: [{ ...groups[0]!.rules[0]!, expr: 'sum(increase(slipway_run_failures_total[1h]) > 3' }] }];
    const result = await checkRules(broken);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/unclosed|parse error|unexpected/i);
  });

  it('have the seed\'s tiers: Flux, run failures over 3 an hour, registry over 85 %, app errors and latency; each with summary, description, runbook and severity', () => {
    const rules = alerts(observabilityPart(input, values));
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(byName['FluxReconciliationFailing']).toMatchObject({ labels: { severity: 'critical', tier: '1' }, expr: expect.stringContaining('gotk_resource_info{ready="False"') });
    expect(byName['SlipwayRunFailures']).toMatchObject({ labels: { severity: 'critical', tier: '1' }, expr: expect.stringMatching(/\[1h\]\)\) > 3$/) });
    expect(byName['SlipwayRegistryStorageHigh']).toMatchObject({ labels: { tier: '2' }, expr: expect.stringMatching(/persistentvolumeclaim="registry".*> 0\.85$/) });
    expect(byName['SlipwayStorageAlmostFull']?.expr).toMatch(/> 0\.95$/);
    expect(byName['SlipwayDeploySuccessRateLow']?.expr).toMatch(/< 0\.8$/);
    expect(byName['SlipwayAppErrorRate']?.expr).toContain('namespace=~"dynamic-apps|staging-apps"');
    expect(byName['SlipwayAppSlow']?.expr).toMatch(/> 2$/);
    for (const rule of rules) {
      expect(rule.annotations.summary, rule.alert).not.toBe('');
      expect(rule.annotations.description, rule.alert).not.toBe('');
      expect(rule.annotations.runbook, rule.alert).not.toBe('');
      expect(['critical', 'warning']).toContain(rule.labels.severity);
    }
  });

  it('watch Argo CD\'s Applications instead of Flux\'s objects with Argo CD, and the registry only when there is one', () => {
    const names = (overrides: Partial<ObservabilityInput>) => alerts(observabilityPart({ ...input, ...overrides }, values)).map((r) => r.alert);
    expect(names({ engine: 'argocd' })).toContain('ArgoCdApplicationUnhealthy');
    expect(names({ engine: 'argocd' })).not.toContain('FluxReconciliationFailing');
    expect(names({ registry: false })).not.toContain('SlipwayRegistryStorageHigh');
  });
});

describe('the dashboard', () => {
  it('has what Grafana\'s dashboard model asks for, with the panels for deploys, failures by stage, durations and each app', () => {
    const dashboard = dashboardOf(observabilityPart(input, values));
    expect(dashboardProblems(dashboard)).toEqual([]);
    expect(dashboard.panels.map((p: { title: string }) => p.title)).toEqual([
      'Deploys per hour', 'Failures by stage', 'Build duration', 'Rollout duration', 'Runs waiting', 'Requests per app', 'Errors per app', 'Latency per app (95th percentile)',
      'Volumes used', 'Memory per app',
    ]);
    expect(dashboard.panels.map((p: { id: number }) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('is refused by the model check with a duplicate panel id, a missing gridPos, an overlap or an unknown data source variable', () => {
    const dashboard = slipwayDashboard(input);
    const [first, second, ...rest] = dashboard.panels;
    const { gridPos: _gone, ...noGrid } = second!;
    expect(dashboardProblems({ ...dashboard, panels: [first, { ...second, id: first!.id }, ...rest] })).toEqual(['panels[1].id: 1 is used by another panel']);
    expect(dashboardProblems({ ...dashboard, panels: [first, noGrid, ...rest] })).toEqual(['panels[1].gridPos: needs whole h, w, x and y']);
    expect(dashboardProblems({ ...dashboard, panels: [first, { ...second, gridPos: first!.gridPos }, ...rest] })).toEqual(['panels[1].gridPos: overlaps panel 1']);
    expect(dashboardProblems({ ...dashboard, templating: { list: [] } })).toContain('panels[0].datasource: ${datasource} is no datasource variable of the dashboard');
    expect(dashboardProblems({ ...dashboard, uid: undefined, schemaVersion: '39' })).toEqual(['uid: must be 1-40 letters, digits, - or _', 'schemaVersion: must be a number']);
  });

  it('queries only PromQL that parses (each expression checked by promtool as a recording rule)', async () => {
    const exprs = slipwayDashboard(input).panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(9);
    const result = await checkRules(asRecordingRules(exprs));
    expect(result.ok, result.output).toBe(true);
    expect((await checkRules(asRecordingRules(['sum by (stage) (increase(slipway_run_failures_total[1d])']))).ok).toBe(false);
  });
});
