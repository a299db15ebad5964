import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderApp, renderAppObjects } from './app.ts';
import { renderService } from './service.ts';
import { renderServiceMonitor } from './servicemonitor.ts';
import { flavours, SEMVER_IMAGE, sampleSpec } from './test-fixtures.ts';
import type { KustomizeConfig } from './types.ts';
import { validateObjects } from './validate/index.ts';

const input = { image: SEMVER_IMAGE };
const dir = 'kubernetes/apps/dynamic/pomodoro-timer';
const withMetrics = sampleSpec({ metrics: { path: '/metrics' } });

describe('renderServiceMonitor', () => {
  it('scrapes the Service of an app that serves metrics, by its selector labels and named port, every 30 s', () => {
    const settings = flavours().flux;
    const monitor = renderServiceMonitor(withMetrics, input, settings)!;
    const service = renderService(withMetrics, input, settings);
    expect(monitor.metadata).toEqual({ name: 'pomodoro-timer', namespace: 'dynamic-apps', labels: service.metadata.labels });
    // Every label the monitor selects on is on the Service, and the port it names is the Service's.
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.ports.map((p) => p.name)).toContain(monitor.spec.endpoints[0]!.port);
    expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s', scheme: 'http' }]);
  });

  it('is checked against the CRD for real: a malformed interval or an unknown field is refused', () => {
    const monitor = renderServiceMonitor(withMetrics, input, flavours().flux)!;
    const broken = { ...monitor, spec: { ...monitor.spec, endpoints: [{ ...monitor.spec.endpoints[0]!, interval: 'every half minute' }], scrapeEvery: '30s' } };
    const problems = validateObjects([broken]).map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('interval'), expect.stringContaining('scrapeEvery')]));
  });

  it('renders nothing for an app that serves no metrics', () => {
    expect(renderServiceMonitor(sampleSpec(), input, flavours().flux)).toBeUndefined();
  });
});

describe.each(Object.entries(flavours()))('an app that serves metrics, %s flavour', (flavour, settings) => {
  it('gets a ServiceMonitor beside its Service, listed in its kustomization, valid against the upstream CRD', () => {
    const manifests = renderAppObjects(withMetrics, input, settings);
    expect(manifests.map((m) => m.path)).toContain(`${dir}/app/servicemonitor.yaml`);
    const kustomization = manifests.find((m) => m.path === `${dir}/app/kustomization.yaml`)!.object as KustomizeConfig;
    expect(kustomization.resources).toContain('servicemonitor.yaml');
    expect(validateObjects(manifests.map((m) => m.object))).toEqual([]);
  });

  it('lets Prometheus\' namespace through its NetworkPolicy to the app\'s port, and nothing more', () => {
    const policyOf = (spec: typeof withMetrics) => parse(renderApp(spec, input, settings).find((f) => f.path.endsWith('networkpolicy.yaml'))!.content);
    const ingress = policyOf(withMetrics).spec.ingress;
    expect(ingress).toHaveLength(2);
    expect(ingress[0]).toEqual(policyOf(sampleSpec()).spec.ingress[0]);
    expect(ingress[1]).toEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 8080 }] });
  });

  it('renders every other file as an app without metrics does, and that one byte for byte as reviewed', () => {
    const without = renderApp(sampleSpec(), input, settings);
    const reviewed = readFileSync(new URL(`./__snapshots__/app.${flavour}.yaml`, import.meta.url), 'utf8');
    expect(without.map((file) => `# file: ${file.path}\n${file.content}`).join('---\n')).toBe(reviewed);
    const changed = new Set(['kustomization.yaml', 'networkpolicy.yaml', 'servicemonitor.yaml'].map((name) => `${dir}/app/${name}`));
    const same = renderApp(withMetrics, input, settings).filter((file) => !changed.has(file.path));
    expect(same).toEqual(without.filter((file) => !changed.has(file.path)));
  });
});

it('matches the reviewed ServiceMonitor', async () => {
  const file = renderApp(withMetrics, input, flavours().flux).find((f) => f.path.endsWith('servicemonitor.yaml'))!;
  await expect(file.content).toMatchFileSnapshot('./__snapshots__/servicemonitor.yaml');
});
