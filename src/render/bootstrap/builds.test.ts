import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiRequest, type KubeApiServer } from '../../../test/support/kube-api-server.ts';
import { KubeJobBuilder } from '../../adapters/image-builder/kube-job-builder.ts';
import { KubeClient } from '../../adapters/watcher/index.ts';
import { ConfigSchema } from '../../config/schema.ts';
import { renderBuildJob } from '../build-job.ts';
import { podSecurityProblems } from '../pod-security.ts';
import { formatProblem, validateObjects } from '../validate/index.ts';
import { BUILDER_RULES, buildsPart } from './builds.ts';
import { bootstrapParts } from './index.ts';
import { bootstrapSettings, NamedValues } from './test-fixtures.ts';

const build = ConfigSchema.parse({}).build.cluster;

describe('buildsPart', () => {
  it('writes the build namespace, the builder Role bound to Slipway\'s ServiceAccount and a LimitRange, valid against Kubernetes\' schemas', () => {
    const part = buildsPart({ build, slipwayNamespace: 'slipway' }, new NamedValues());
    expect(part.files.map((f) => f.path)).toEqual(['builds/slipway-builds.yaml']);
    const objects = part.files[0]!.objects as Array<Record<string, any>>;
    expect(validateObjects(objects).map(formatProblem)).toEqual([]);
    expect(objects.map((o) => [o.kind, o.metadata.namespace ?? '', o.metadata.name])).toEqual([
      ['Namespace', '', 'slipway-builds'],
      ['Role', 'slipway-builds', 'slipway-builder'],
      ['RoleBinding', 'slipway-builds', 'slipway-builder'],
      ['LimitRange', 'slipway-builds', 'slipway-builds'],
    ]);
    expect(objects[1]!.rules).toEqual([
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
    expect(objects[2]!.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'slipway-builder' });
    expect(objects[2]!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'slipway', namespace: 'slipway' }]);
    expect(objects[3]!.spec.limits).toEqual([{ type: 'Container', defaultRequest: { cpu: '500m', memory: '512Mi' }, default: { memory: '2Gi' }, max: { memory: '2Gi' } }]);
    expect(part.secrets).toEqual([]);
    expect(part.notes?.[0]).toContain('kubectl create secret docker-registry slipway-registry-push -n slipway-builds');
  });

  it('lets in the pods rootless BuildKit needs, and audits them against restricted', () => {
    const [namespace] = buildsPart({ build, slipwayNamespace: 'slipway' }, new NamedValues()).files[0]!.objects;
    expect(namespace!.metadata?.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'restricted' });
    // What privileged lets through, and restricted would refuse, is only what the build Job relaxes.
    const job = renderBuildJob({ app: 'a', runId: 'run-20260101000000-aaaaaa', source: { url: 'https://g/r.git', commit: 'c'.repeat(40), path: 'a' }, dockerfile: 'Dockerfile', ref: 'r/a:1', insecure: false, platforms: [], labels: {} }, { ...build, timeoutSeconds: 60 });
    expect(podSecurityProblems(job.spec.template.spec)).toHaveLength(3);
  });

  it('gives build Jobs the bootstrap registry\'s push login, with the password the registry is made with', () => {
    const values = new NamedValues();
    const part = buildsPart({ build: { ...build, gitSecret: 'apps-token' }, slipwayNamespace: 'slipway', registry: { host: 'registry.apps.lan', username: 'slipway' } }, values);
    expect(part.secrets).toHaveLength(1);
    const [file] = part.secrets;
    expect(file!.path).toBe('secrets/slipway-registry-push-slipway-builds.yaml');
    expect(file!.secret).toMatchObject({ name: 'slipway-registry-push', namespace: 'slipway-builds', type: 'kubernetes.io/dockerconfigjson' });
    const login = JSON.parse(file!.secret.stringData['.dockerconfigjson']!);
    expect(Buffer.from(login.auths['registry.apps.lan'].auth, 'base64').toString()).toBe('slipway:value-of-registry-password');
    expect(values.asked).toEqual([{ name: 'registry-password', bytes: 32 }]);
    expect(part.notes).toEqual([expect.stringContaining('kubectl create secret generic apps-token -n slipway-builds --from-literal=token=<token>')]);
  });

  it('is one of the parts slipway bootstrap writes, in the namespace build.cluster names', () => {
    const settings = bootstrapSettings({ build: { cluster: { namespace: 'lab-builds' } }, bootstrap: { registry: { enabled: true, host: 'registry.lab.example' } } });
    const part = bootstrapParts(settings, new NamedValues()).find((p) => p.name === 'builds')!;
    expect(part.files[0]!.path).toBe('builds/lab-builds.yaml');
    expect(Object.keys(JSON.parse(part.secrets[0]!.secret.stringData['.dockerconfigjson']!).auths)).toEqual(['registry.lab.example']);
  });
});

describe('the builder Role', () => {
  let kube: KubeApiServer;
  beforeAll(async () => {
    kube = await startKubeApiServer({ tls: false });
  });
  afterAll(async () => kube?.stop());

  /** The RBAC verb, resource and group of one request, as the API server's authorizer sees it. */
  const rbacOf = (request: KubeApiRequest) => {
    const url = new URL(request.path, 'http://kube');
    const parts = url.pathname.split('/').filter(Boolean);
    const group = parts[0] === 'api' ? '' : parts[1]!;
    const rest = parts.slice(parts[0] === 'api' ? 2 : 3);
    const [, , plural, name, subresource] = rest;
    const verb = ({ POST: 'create', DELETE: 'delete' } as Record<string, string>)[request.method] ?? (name === undefined ? 'list' : 'get');
    return { group, resource: subresource ? `${plural}/${subresource}` : plural!, verb };
  };

  it('allows every request a build makes, from creating the Job to deleting it on cancel', async () => {
    const builder = new KubeJobBuilder({
      kube: new KubeClient({ apiServer: kube.url, token: kube.token }), registry: { headManifest: async () => undefined, getManifest: async () => { throw new Error('unused'); } },
      settings: { ...build, timeoutSeconds: 60 }, pollMs: 20,
    });
    const controller = new AbortController();
    const source = { app: 'rbac', runId: 'run-20260101000000-rbac01', url: 'https://g/r.git', commit: 'c'.repeat(40), path: 'rbac' };
    const building = builder.build({ contextDir: '/x', base: 'b', platforms: [], workdir: '/app', entrypoint: [], target: { kind: 'registry', ref: { registry: 'r', repository: 'a', tag: '1' } }, source }, controller.signal).catch(() => undefined);
    while (!kube.get('batch/v1', 'Job', 'slipway-builds', 'rbac-build-rbac01')) await new Promise((r) => setTimeout(r, 20));
    const pod = kube.jobs.startPod('slipway-builds', 'rbac-build-rbac01');
    while (!kube.requests.some((r) => r.path.includes(`/pods/${pod}/log`))) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await building;
    const used = kube.requests.map(rbacOf);
    expect(new Set(used.map((u) => u.verb))).toEqual(new Set(['create', 'get', 'list', 'delete']));
    for (const access of used) {
      const granted = BUILDER_RULES.some((rule) => rule.apiGroups?.includes(access.group) && rule.resources?.includes(access.resource) && rule.verbs.includes(access.verb));
      expect(granted, `${access.verb} ${access.resource} (${access.group || 'core'})`).toBe(true);
    }
  });
});
