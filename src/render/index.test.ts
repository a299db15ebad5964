import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { renderDeployment } from './deployment.ts';
import { renderHttpRoute } from './httproute.ts';
import { renderApp } from './index.ts';
import { defaultRenderSettings, RenderSettingsSchema } from '../../test/support/render-settings.ts';
import { renderFluxKustomization } from '../adapters/gitops/flux/kustomization.ts';
import { renderAppKustomization } from './kustomization.ts';
import { podSecurityProblems } from './pod-security.ts';
import { renderNetworkPolicy } from './network-policy.ts';
import { renderService } from './service.ts';
import { reverseKeys, SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';
import { RENDERED_HEADER, toYaml } from './yaml-writer.ts';

const settings = defaultRenderSettings();
const input = { image: SAMPLE_IMAGE };
const dir = 'kubernetes/apps/dynamic/pomodoro-timer';

describe('renderApp', () => {
  it('writes the seed layout, sorted by path', () => {
    expect(renderApp(sampleSpec(), input, settings).map((f) => f.path)).toEqual([
      `${dir}/app/deployment.yaml`,
      `${dir}/app/httproute.yaml`,
      `${dir}/app/kustomization.yaml`,
      `${dir}/app/networkpolicy.yaml`,
      `${dir}/app/service.yaml`,
      `${dir}/ks.yaml`,
    ]);
  });

  it('writes each renderer\'s object with the header', () => {
    const spec = sampleSpec();
    const byPath = new Map(renderApp(spec, input, settings).map((f) => [f.path, f.content]));
    const expected = {
      [`${dir}/app/deployment.yaml`]: renderDeployment(spec, input, settings),
      [`${dir}/app/service.yaml`]: renderService(spec, input, settings),
      [`${dir}/app/httproute.yaml`]: renderHttpRoute(spec, input, settings),
      [`${dir}/app/networkpolicy.yaml`]: renderNetworkPolicy(spec, input, settings),
      [`${dir}/app/kustomization.yaml`]: renderAppKustomization(['deployment.yaml', 'httproute.yaml', 'networkpolicy.yaml', 'service.yaml']),
      [`${dir}/ks.yaml`]: renderFluxKustomization(spec, input, settings),
    };
    expect([...byPath.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [path, object] of Object.entries(expected)) expect(byPath.get(path)).toBe(toYaml(object, { header: RENDERED_HEADER }));
  });

  it('gives the same bytes when rendered twice', () => {
    expect(renderApp(sampleSpec(), input, settings)).toEqual(renderApp(sampleSpec(), input, settings));
  });

  it('gives the same bytes whatever order the keys of the spec, labels and settings were built in', () => {
    const custom = RenderSettingsSchema.parse({
      gateway: { parentRefs: [{ name: 'gw', namespace: 'network', sectionName: 'https' }] },
      gitops: { substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-settings', optional: true }, { kind: 'Secret', name: 'cluster-secrets' }] },
    });
    const labels = { 'example.com/team': 'home', tier: 'fun', alpha: 'first' };
    const spec = sampleSpec({ persistent: true });
    const straight = renderApp(spec, { image: SAMPLE_IMAGE, labels }, custom);
    const reversed = renderApp(reverseKeys(spec), { labels: reverseKeys(labels), image: SAMPLE_IMAGE }, reverseKeys(custom));
    expect(reversed).toEqual(straight);
  });

  it('writes YAML that parses back to one object with the expected apiVersion and kind', () => {
    const kinds = renderApp(sampleSpec({ persistent: true }), input, settings).map((file) => {
      const docs = parseAllDocuments(file.content);
      expect(docs).toHaveLength(1);
      expect(docs[0]?.errors).toEqual([]);
      expect(file.content.endsWith('\n')).toBe(true);
      const object = parse(file.content);
      return `${object.apiVersion} ${object.kind}`;
    });
    expect(kinds).toEqual([
      'apps/v1 Deployment',
      'gateway.networking.k8s.io/v1 HTTPRoute',
      'kustomize.config.k8s.io/v1beta1 Kustomization',
      'networking.k8s.io/v1 NetworkPolicy',
      'v1 Service',
      'kustomize.toolkit.fluxcd.io/v1 Kustomization',
    ]);
  });

  it('renders only pods that meet the restricted Pod Security Standard', () => {
    for (const persistent of [false, true]) {
      for (const file of renderApp(sampleSpec({ persistent }), input, settings)) {
        const object = parse(file.content);
        const pod = object.spec?.template?.spec;
        if (pod) expect(podSecurityProblems(pod)).toEqual([]);
      }
    }
  });

  it('names, labels and routes pomodoro-timer consistently across its objects', () => {
    const objects = renderApp(sampleSpec(), input, settings).map((f) => parse(f.content));
    for (const object of objects.filter((o) => o.metadata)) {
      expect(object.metadata.name).toBe('pomodoro-timer');
      expect(object.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'pomodoro-timer',
        'app.kubernetes.io/instance': 'pomodoro-timer',
        'app.kubernetes.io/managed-by': 'slipway',
        'app.kubernetes.io/part-of': 'slipway-apps',
      });
    }
    const route = objects.find((o) => o.kind === 'HTTPRoute');
    expect(route.spec.hostnames).toEqual(['pomodoro-timer.${APPS_SUBDOMAIN}']);
    expect(objects.find((o) => o.kind === 'Kustomization' && o.spec)?.spec.path).toBe(`./${dir}/app`);
  });
});
