/**
 * The dashboard and the alerts `slipway bootstrap` writes: as the command writes them they load in
 * Prometheus (promtool) and Grafana (its dashboard model), and each `slipway_*` name in their
 * expressions is one a real `slipway serve` exposes once it ran something.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observabilityPart, type PrometheusRule } from '../../src/render/bootstrap/observability.ts';
import { slipwayDashboard } from '../../src/render/bootstrap/grafana-dashboard.ts';
import { runCli, tempHome } from '../support/cli.ts';
import { dashboardProblems } from '../support/grafana-dashboard.ts';
import { asRecordingRules, checkRules } from '../support/promtool.ts';
import { jsonOf, readEvents, startServer, type RunningServer } from '../support/serve.ts';

const input = { enabled: true, namespace: 'slipway', appsNamespaces: ['dynamic-apps'], engine: 'flux' as const, registry: true };
const values = { get: () => '' };

/** Every `slipway_*` series name the committed expressions read. */
function namesRead(): string[] {
  const rules = observabilityPart(input, values).files.flatMap((f) => f.objects).filter((o): o is PrometheusRule => o.kind === 'PrometheusRule');
  const exprs = [
    ...rules.flatMap((r) => r.spec.groups.flatMap((g) => g.rules.map((rule) => rule.expr))),
    ...slipwayDashboard(input).panels.flatMap((p) => p.targets.map((t) => t.expr)),
  ];
  return [...new Set(exprs.flatMap((expr) => expr.match(/\bslipway_[a-z0-9_]+/g) ?? []))].sort();
}

/** The series names a scrape holds samples for (not only HELP and TYPE lines). */
function sampled(scrape: string): Set<string> {
  return new Set(scrape.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0]));
}

let server: RunningServer;

beforeAll(async () => {
  // A base made from this machine's Node cannot serve linux/arm64: the run fails at image:build,
  // after verification, so the scrape holds a failed run, its failed stage and timed steps.
  const { home, cwd } = tempHome('slipway-observability-');
  writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\nimage:\n  base: host\n  platforms: [linux/arm64]\n');
  server = await startServer({ home, cwd });
});

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
});

describe('the metrics the dashboard and the alerts read', () => {
  it('are all in a real /metrics scrape after a run', async () => {
    const accepted = await fetch(`${server.url}/v1/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ template: 'timer', name: 'watched' }) });
    expect(accepted.status).toBe(202);
    await readEvents(`${server.url}${accepted.headers.get('location')}/events`);
    expect((await jsonOf(fetch(`${server.url}${accepted.headers.get('location')}`))).status).toBe('failed');

    const scrape = await (await fetch(`${server.url}/metrics`)).text();
    const names = namesRead();
    expect(names).toEqual(expect.arrayContaining(['slipway_run_failures_total', 'slipway_runs_total', 'slipway_step_duration_seconds_bucket']));
    const present = sampled(scrape);
    expect(names.filter((name) => !present.has(name))).toEqual([]);
    expect(scrape).toMatch(/^slipway_run_failures_total\{kind="create",stage="image:build"\} 1$/m);
    // The check can fail: a name Slipway never exposes is not found.
    expect(present.has('slipway_deploys_total')).toBe(false);
  });
});

describe('slipway bootstrap\'s dashboard and alerts, as written', () => {
  it('load in Prometheus and Grafana: the PrometheusRule\'s spec passes promtool, the dashboard\'s model and queries check out', async () => {
    const { home, cwd } = tempHome('slipway-observability-bootstrap-');
    const out = join(cwd, 'gitops');
    const keyFile = join(cwd, 'age.key');
    execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
    const recipient = /age1[0-9a-z]+/.exec(readFileSync(keyFile, 'utf8'))![0];
    const result = await runCli(['bootstrap', '--out', out, '--age-recipient', recipient, '--registry', '--json'], { home, cwd });
    expect(result.code, result.stderr).toBe(0);
    const files: string[] = JSON.parse(result.stdout).files;
    const folder = 'kubernetes/slipway/observability';
    expect(files).toEqual(expect.arrayContaining([`${folder}/dashboard.yaml`, `${folder}/alerts.yaml`, `${folder}/servicemonitor.yaml`]));
    const kustomization = parse(readFileSync(join(out, 'kubernetes/slipway/kustomization.yaml'), 'utf8'));
    expect(kustomization.resources).toEqual(expect.arrayContaining(['observability/dashboard.yaml', 'observability/alerts.yaml', 'observability/servicemonitor.yaml']));

    const rule = parse(readFileSync(join(out, folder, 'alerts.yaml'), 'utf8'));
    const rules = await checkRules(rule.spec.groups);
    expect(rules.ok, rules.output).toBe(true);
    expect(rule.spec.groups.flatMap((g: { rules: Array<{ alert: string }> }) => g.rules.map((r) => r.alert))).toContain('SlipwayRegistryStorageHigh');

    const configMap = parse(readFileSync(join(out, folder, 'dashboard.yaml'), 'utf8'));
    const dashboard = JSON.parse(configMap.data['slipway.json']);
    expect(dashboardProblems(dashboard)).toEqual([]);
    const queries = await checkRules(asRecordingRules(dashboard.panels.flatMap((p: { targets: Array<{ expr: string }> }) => p.targets.map((t) => t.expr))));
    expect(queries.ok, queries.output).toBe(true);
  });
});
