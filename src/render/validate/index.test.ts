import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../domain/errors.ts';
import { renderAppObjects } from '../app.ts';
import { flavours, SEMVER_IMAGE, sampleSpec } from '../test-fixtures.ts';
import type { KubeObject } from '../types.ts';
import { assertValid, CRD_DIR, CrdSchemas, formatProblem, validateObjects } from './index.ts';

/** A fresh copy of one rendered object of a flavour, to break by hand. */
function rendered(kind: string, flavour: keyof ReturnType<typeof flavours> = 'flux-image-automation'): Record<string, any> {
  const found = renderAppObjects(sampleSpec(), { image: SEMVER_IMAGE }, flavours()[flavour]).find((m) => m.object.kind === kind && m.object.apiVersion !== 'kustomize.config.k8s.io/v1beta1');
  if (!found) throw new Error(`no ${kind} rendered`);
  return structuredClone(found.object) as Record<string, any>;
}

const lines = (objects: object[]) => validateObjects(objects).map(formatProblem);

describe('validateObjects', () => {
  it('passes every object of every flavour', () => {
    for (const settings of Object.values(flavours())) {
      expect(validateObjects(renderAppObjects(sampleSpec({ persistent: true }), { image: SEMVER_IMAGE }, settings).map((m) => m.object))).toEqual([]);
    }
  });

  it.each<[string, () => Record<string, any>, string[]]>([
    ['a Flux Kustomization without sourceRef', () => { const ks = rendered('Kustomization'); delete ks.spec.sourceRef; return ks; }, ['Kustomization/pomodoro-timer: spec.sourceRef: is required']],
    ['a Flux Kustomization with a misspelt field', () => { const ks = rendered('Kustomization'); ks.spec.sourceRefs = ks.spec.sourceRef; delete ks.spec.sourceRef; return ks; }, [
      'Kustomization/pomodoro-timer: spec.sourceRef: is required',
      'Kustomization/pomodoro-timer: spec.sourceRefs: is not a field of Kustomization (the API server would drop it)',
    ]],
    ['a Flux Kustomization with a wrong interval', () => { const ks = rendered('Kustomization'); ks.spec.interval = '10 minutes'; return ks; }, [
      'Kustomization/pomodoro-timer: spec.interval: must match the pattern ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
    ]],
    ['an HTTPRoute parentRef without a name', () => { const r = rendered('HTTPRoute'); delete r.spec.parentRefs[0].name; return r; }, ['HTTPRoute/pomodoro-timer: spec.parentRefs[0].name: is required']],
    ['an HTTPRoute parentRef with a bad namespace and port', () => { const r = rendered('HTTPRoute'); r.spec.parentRefs[0].namespace = 'Not_A_Namespace'; r.spec.parentRefs[0].port = '443'; return r; }, [
      'HTTPRoute/pomodoro-timer: spec.parentRefs[0].namespace: must match the pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      'HTTPRoute/pomodoro-timer: spec.parentRefs[0].port: must be integer',
    ]],
    ['an HTTPRoute with a host name that is no host name', () => { const r = rendered('HTTPRoute'); r.spec.hostnames = ['Pomodoro Timer']; return r; }, [
      'HTTPRoute/pomodoro-timer: spec.hostnames[0]: must match the pattern ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    ]],
    ['a Deployment with a string replica count', () => { const d = rendered('Deployment'); d.spec.replicas = '1'; return d; }, ['Deployment/pomodoro-timer: spec.replicas: must be integer']],
    ['a Deployment container without an image name', () => { const d = rendered('Deployment'); delete d.spec.template.spec.containers[0].name; return d; }, [
      'Deployment/pomodoro-timer: spec.template.spec.containers[0].name: is required',
    ]],
    ['a Service whose target port is neither a number nor a name', () => { const s = rendered('Service'); s.spec.ports[0].targetPort = 1.5; return s; }, [
      'Service/pomodoro-timer: spec.ports[0].targetPort: must be a string or an integer',
    ]],
    ['a Service named like no DNS label', () => { const s = rendered('Service'); s.metadata.name = '9lives'; return s; }, [
      'Service/9lives: metadata.name: must be a DNS-1035 label: at most 63 lowercase letters, digits and -, starting with a letter',
    ]],
    ['a NetworkPolicy with a port list that is not a list', () => { const n = rendered('NetworkPolicy'); n.spec.ingress[0].ports = { port: 8080 }; return n; }, [
      'NetworkPolicy/pomodoro-timer: spec.ingress[0].ports: must be array',
    ]],
    ['an ImagePolicy without a policy and with an unknown order', () => { const p = rendered('ImagePolicy'); p.spec.policy = undefined; p.spec.digestReflectionPolicy = 'Sometimes'; return JSON.parse(JSON.stringify(p)); }, [
      'ImagePolicy/pomodoro-timer: spec.policy: is required',
      'ImagePolicy/pomodoro-timer: spec.digestReflectionPolicy: must be one of "Always", "IfNotPresent", "Never"',
    ]],
    ['an ImageRepository without an interval', () => { const r = rendered('ImageRepository'); delete r.spec.interval; return r; }, ['ImageRepository/pomodoro-timer: spec.interval: is required']],
    ['an Argo CD Application without a destination and with a string prune', () => {
      const a = rendered('Application', 'argocd-per-app');
      delete a.spec.destination;
      a.spec.syncPolicy.automated.prune = 'yes';
      return a;
    }, ['Application/pomodoro-timer: spec.destination: is required', 'Application/pomodoro-timer: spec.syncPolicy.automated.prune: must be boolean']],
    ['an Argo CD Application of a version the CRD does not serve', () => ({ ...rendered('Application', 'argocd-per-app'), apiVersion: 'argoproj.io/v1beta1' }), [
      'Application/pomodoro-timer: apiVersion: argoproj.io/v1beta1 is not served for Application; use argoproj.io/v1alpha1',
    ]],
    ['labels the API server refuses', () => { const r = rendered('HTTPRoute'); r.metadata.name = 'My_Route'; r.metadata.labels['team'] = 'has space'; return r; }, [
      'HTTPRoute/My_Route: metadata.name: must be a DNS-1123 subdomain: lowercase letters, digits, - and ., starting and ending with a letter or digit',
      "HTTPRoute/My_Route: metadata.labels.team: the value of label 'team' is invalid; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    ]],
    ['a kustomization listing a file twice', () => ({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['a.yaml', 'a.yaml'] }), [
      'Kustomization/(unnamed): resources[1]: lists a.yaml twice; kustomize refuses duplicate resources',
    ]],
    ['a kind there is no schema for', () => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), [
      'Widget/w: (object): no schema for example.com/v1 Widget here; Slipway validates every kind it renders, so add its CRD to schemas/crds',
    ]],
  ])('reports %s by kind, name and path', (_what, make, expected) => {
    expect(lines([make()])).toEqual(expected);
  });

  it('checks the object Flux will send: ${VAR}s become a sample host name, escaped $${VAR}s stay', () => {
    const route = rendered('HTTPRoute');
    expect(route.spec.hostnames).toEqual(['pomodoro-timer.apps.${CLUSTER_DOMAIN}']);
    expect(validateObjects([route])).toEqual([]);
    // Without the substitution the very same route fails its schema.
    expect(new CrdSchemas().problems(route as KubeObject)?.map((p) => p.path)).toEqual(['spec.hostnames[0]']);
    route.spec.hostnames = ['pomodoro-timer.$${APPS_SUBDOMAIN}'];
    expect(lines([route])).toHaveLength(1);
  });
});

describe('assertValid', () => {
  it('passes valid objects and lists every problem of invalid ones in an InputError', () => {
    const good = renderAppObjects(sampleSpec(), { image: SEMVER_IMAGE }, flavours().flux).map((m) => m.object);
    expect(() => assertValid(good)).not.toThrow();
    const ks = rendered('Kustomization');
    delete ks.spec.sourceRef;
    const deployment = rendered('Deployment');
    deployment.spec.replicas = 'one';
    const attempt = () => assertValid([...good, ks, deployment]);
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow('2 problem(s) in the rendered manifests:\n  - Kustomization/pomodoro-timer: spec.sourceRef: is required\n  - Deployment/pomodoro-timer: spec.replicas: must be integer');
  });
});

describe('CrdSchemas', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-crds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads nothing until a kind needs it, then keeps what it compiled', () => {
    const missing = new CrdSchemas({ dir: join(dir, 'absent') });
    // Built-in kinds never touch the CRD directory.
    expect(validateObjects([rendered('Deployment')], { crds: missing })).toEqual([]);
    expect(() => validateObjects([rendered('Kustomization')], { crds: missing })).toThrow(ConfigError);

    copyFileSync(join(CRD_DIR, 'kustomizations.yaml'), join(dir, 'kustomizations.yaml'));
    const crds = new CrdSchemas({ dir });
    expect(validateObjects([rendered('Kustomization')], { crds })).toEqual([]);
    rmSync(join(dir, 'kustomizations.yaml'));
    const broken = rendered('Kustomization');
    delete broken.spec.prune;
    expect(validateObjects([broken], { crds }).map(formatProblem)).toEqual(['Kustomization/pomodoro-timer: spec.prune: is required']);
  });

  it('validates a Flux Receiver too (for the cluster kit)', () => {
    const receiver = {
      apiVersion: 'notification.toolkit.fluxcd.io/v1',
      kind: 'Receiver',
      metadata: { name: 'slipway', namespace: 'flux-system' },
      spec: { type: 'generic-hmac', secretRef: { name: 'receiver-token' }, resources: [{ kind: 'GitRepository', name: 'flux-system' }] },
    };
    expect(validateObjects([receiver])).toEqual([]);
    const wrong = { ...receiver, spec: { ...receiver.spec, resources: [{ kind: 'Deployment', name: 'x' }] } };
    expect(validateObjects([wrong]).map(formatProblem)).toEqual([expect.stringMatching(/^Receiver\/slipway: spec\.resources\[0\]\.kind: must be one of "Bucket", /)]);
  });

  it('loads the validator libraries only when something is validated', () => {
    const render = new URL('../index.ts', import.meta.url).href;
    const fixtures = new URL('../test-fixtures.ts', import.meta.url).href;
    const settings = new URL('../../../test/support/render-settings.ts', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => /node_modules[\\/](ajv|kubernetes-models)[\\/]/.test(k)).length;
      const { renderAppObjects, validateObjects } = await import(${JSON.stringify(render)});
      const { sampleSpec, SEMVER_IMAGE } = await import(${JSON.stringify(fixtures)});
      const { defaultRenderSettings } = await import(${JSON.stringify(settings)});
      const objects = renderAppObjects(sampleSpec(), { image: SEMVER_IMAGE }, defaultRenderSettings()).map((m) => m.object);
      const before = loaded();
      const problems = validateObjects(objects).length;
      console.log(JSON.stringify({ before, after: loaded(), problems }));`;
    const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
    expect(result.before).toBe(0);
    expect(result.after).toBeGreaterThan(0);
    expect(result.problems).toBe(0);
  });

  it('knows the kinds Slipway renders from CRDs', () => {
    const crds = new CrdSchemas();
    expect(crds.knows('kustomize.toolkit.fluxcd.io/v1', 'Kustomization')).toBe(true);
    expect(crds.knows('argoproj.io/v1alpha1', 'Application')).toBe(true);
    expect(crds.knows('apps/v1', 'Deployment')).toBe(false);
  });
});
