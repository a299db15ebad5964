import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeFixture, startKubeApiServer, type KubeApiRequest, type KubeApiServer } from '../../../test/support/kube-api-server.ts';
import { APP_PODS, putAppAfterTwoRollouts } from '../../../test/support/kube-app-pods.ts';
import { argoWatchStages } from '../../adapters/gitops/argocd/stages.ts';
import { ArgoCdSyncer } from '../../adapters/gitops/argocd/syncer.ts';
import { KubePodLogs } from '../../adapters/kube/pod-logs.ts';
import { gitRepositoryAt, kustomizationReadyAt, NEW, putHealthyWorkload, putImagePullFailure, startAppServer, watcherFor, watchRequest } from '../../adapters/watcher/kube-watcher.test-support.ts';
import type { IPolicyRule } from 'kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule';
import { validateObjects } from '../validate/index.ts';
import { rbacPart, watcherRules } from './rbac.ts';
import { ARGOCD_CONFIG, bootstrapSettings } from './test-fixtures.ts';

/** What RBAC sees in a request: the API group, the resource (with its subresource) and the verb. */
function accessOf(request: KubeApiRequest): { group: string; resource: string; verb: string } {
  const url = new URL(request.path, 'http://kube');
  const match = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/namespaces\/[^/]+\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(url.pathname);
  if (!match) throw new Error(`not a namespaced resource path: ${request.path}`);
  const [, group = '', plural, name, subresource] = match;
  const verb = request.method === 'GET' ? (url.searchParams.get('watch') === 'true' ? 'watch' : name === undefined ? 'list' : 'get') : request.method.toLowerCase();
  return { group, resource: subresource ? `${plural}/${subresource}` : plural!, verb };
}

function allowed(rules: IPolicyRule[], access: { group: string; resource: string; verb: string }): boolean {
  return rules.some((rule) => rule.apiGroups?.includes(access.group) && rule.resources?.includes(access.resource) && rule.verbs.includes(access.verb));
}

describe('rbacPart', () => {
  it('writes the ServiceAccount, the read-only ClusterRole and RoleBindings valid against Kubernetes\' own schemas', () => {
    const part = rbacPart(bootstrapSettings({ environments: { dev: {}, prod: {} } }));
    const objects = part.files.flatMap((f) => f.objects);
    expect(validateObjects(objects)).toEqual([]);
    expect(objects.map((o) => [o.kind, o.metadata?.namespace ?? '', o.metadata?.name])).toEqual([
      ['ServiceAccount', 'slipway', 'slipway'],
      ['ClusterRole', '', 'slipway-watcher'],
      ['RoleBinding', 'dynamic-apps-dev', 'slipway-watcher'],
      ['RoleBinding', 'dynamic-apps', 'slipway-watcher'],
      ['RoleBinding', 'flux-system', 'slipway-watcher'],
    ]);
    const binding = objects.find((o) => o.kind === 'RoleBinding') as Record<string, any>;
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'slipway-watcher' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'slipway', namespace: 'slipway' }]);
  });

  it('reads only, except patch on Argo CD Applications, and binds in Argo CD\'s namespace for Argo CD', () => {
    const flux = watcherRules('flux');
    expect(flux.flatMap((r) => r.verbs)).toEqual(expect.arrayContaining(['get', 'list']));
    expect(flux.every((r) => r.verbs.every((v) => v === 'get' || v === 'list'))).toBe(true);
    const argocd = watcherRules('argocd');
    expect(argocd.find((r) => r.apiGroups?.includes('argoproj.io'))?.verbs).toEqual(['get', 'patch']);
    expect(argocd.some((r) => r.apiGroups?.includes('kustomize.toolkit.fluxcd.io'))).toBe(false);
    const objects = rbacPart(bootstrapSettings(ARGOCD_CONFIG)).files.flatMap((f) => f.objects);
    expect(validateObjects(objects)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'RoleBinding').map((o) => o.metadata?.namespace)).toEqual(['dynamic-apps', 'argocd']);
    const elsewhere = rbacPart(bootstrapSettings({ ...ARGOCD_CONFIG, argocd: { namespace: 'gitops' } })).files.flatMap((f) => f.objects);
    expect(elsewhere.filter((o) => o.kind === 'RoleBinding').map((o) => o.metadata?.namespace)).toEqual(['dynamic-apps', 'gitops']);
  });
});

describe('the watcher ClusterRole against what Slipway asks the Kubernetes API for', () => {
  let kube: KubeApiServer;
  let app: Awaited<ReturnType<typeof startAppServer>>;

  beforeEach(async () => {
    kube = await startKubeApiServer();
    app = await startAppServer();
  });
  afterEach(async () => {
    await kube.stop();
    await app.stop();
  });

  it('grants every request of a Flux rollout watch, a stuck rollout\'s diagnosis and slipway logs', async () => {
    kube.put(gitRepositoryAt(NEW));
    kube.put(kustomizationReadyAt(NEW));
    putHealthyWorkload(kube);
    await watcherFor(kube).watch(watchRequest(app.url));

    // A stuck rollout: the watcher reads pods, ReplicaSets and events to say why.
    await kube.stop();
    kube = await startKubeApiServer();
    kube.put(gitRepositoryAt(NEW));
    kube.put(kustomizationReadyAt(NEW));
    putImagePullFailure(kube);
    await watcherFor(kube).watch(watchRequest(app.url, { rollout: 300 })).catch(() => undefined);
    const stuck = [...kube.requests];

    putAppAfterTwoRollouts(kube);
    const logs = new KubePodLogs({ access: { apiServer: kube.url, token: kube.token, ca: kube.ca! }, namespaceFor: () => APP_PODS.namespace });
    for await (const line of await logs.open(APP_PODS.app, { tail: 10, follow: false })) void line;

    const accesses = kube.requests.map(accessOf);
    const seen = new Set(accesses.map((a) => `${a.group}/${a.resource}:${a.verb}`));
    // The scenarios did reach the kinds of request the rules are about.
    expect([...seen]).toEqual(expect.arrayContaining(['apps/deployments:get', 'apps/replicasets:list', '/pods:list', '/pods/log:get', '/events:list']));
    expect(stuck.some((r) => r.path.includes('/events'))).toBe(true);
    const rules = watcherRules('flux');
    expect(accesses.filter((a) => !allowed(rules, a))).toEqual([]);
    // And the Flux rules hold nothing the code never asked for.
    for (const rule of rules) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) expect(seen.has(`${rule.apiGroups![0]}/${resource}:${verb}`), `${resource}:${verb}`).toBe(true);
      }
    }
  });

  it('grants every request of an Argo CD refresh and rollout watch', async () => {
    const application: any = kubeFixture('application-synced-healthy');
    application.status.sync = { status: 'Synced', revision: NEW };
    kube.put(application);
    putHealthyWorkload(kube);
    const syncer = new ArgoCdSyncer({ mode: 'annotation', apiServer: kube.url, token: kube.token, ca: kube.ca!, retry: { attempts: 1 } });
    // The stand-in API server answers GET only: the refresh patch is refused, but it is asked for, which is what counts here.
    await syncer.sync({ app: 'pomodoro', revision: NEW, branch: 'main', repoUrl: 'https://git.example.com/homelab.git' }).catch(() => undefined);
    await watcherFor(kube, { stages: argoWatchStages({ namespace: 'argocd', applicationName: (name) => name, appsPath: 'kubernetes/apps/dynamic' }) }).watch(watchRequest(app.url));

    const accesses = kube.requests.map(accessOf);
    const seen = new Set(accesses.map((a) => `${a.group}/${a.resource}:${a.verb}`));
    expect([...seen]).toEqual(expect.arrayContaining(['argoproj.io/applications:get', 'argoproj.io/applications:patch', 'apps/deployments:get']));
    expect(accesses.filter((a) => !allowed(watcherRules('argocd'), a))).toEqual([]);
  });
});
