import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { runCli, tempHome } from '../support/cli.ts';

const { home, cwd } = tempHome();
writeFileSync(join(cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
const opts = { home, cwd };
const gitops = join(home, 'git', 'gitops.git');
const show = (path: string) => execFileSync('git', ['--git-dir', gitops, 'show', `main:${path}`], { encoding: 'utf8' });
const subjects = () => execFileSync('git', ['--git-dir', gitops, 'log', '--format=%s', 'main'], { encoding: 'utf8' }).trim().split('\n');

afterAll(async () => {
  await runCli(['delete', 'nas-photos'], opts);
});

describe('services outside the cluster on the embedded default', () => {
  it('adds an external as one GitOps commit: its Service and EndpointSlice, listed in the parent kustomization', async () => {
    const added = await runCli(['external', 'add', 'nas', '--address', '192.168.1.20', '--port', '445', '--json'], opts);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ external: { name: 'nas', address: '192.168.1.20', port: 445, protocol: 'TCP' }, env: 'prod', kind: 'ip' });
    expect(subjects()[0]).toBe('Add external nas: 192.168.1.20:445/TCP');
    const docs = parseAllDocuments(show('kubernetes/apps/dynamic/externals/nas.yaml')).map((d) => d.toJS());
    expect(docs.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['v1 Service', 'discovery.k8s.io/v1 EndpointSlice']);
    expect(parse(show('kubernetes/apps/dynamic/kustomization.yaml')).resources).toContain('./externals/nas.yaml');

    const listed = await runCli(['external', 'list', '--json'], opts);
    expect(JSON.parse(listed.stdout)).toEqual([{ name: 'nas', address: '192.168.1.20', port: 445, protocol: 'TCP' }]);
  });

  it('refuses an external named like an app, and an app that uses an unknown one, naming the known ones', async () => {
    const unknown = await runCli(['create', 'a pomodoro timer', '--name', 'nas-photos', '--uses', 'nas,printer'], opts);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown external printer; known externals: nas/);
  });

  it('creates an app that uses it: its NetworkPolicy allows DNS and the NAS, nothing else', async () => {
    const created = await runCli(['create', 'a pomodoro timer', '--name', 'nas-photos', '--uses', 'nas', '--json'], opts);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const policy = parse(show('kubernetes/apps/dynamic/nas-photos/app/networkpolicy.yaml'));
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.egress).toEqual([
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
      { to: [{ ipBlock: { cidr: '192.168.1.20/32' } }], ports: [{ protocol: 'TCP', port: 445 }] },
    ]);

    const taken = await runCli(['external', 'add', 'nas-photos', '--address', '10.0.0.2', '--port', '80'], opts);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/'nas-photos' is the name of an app/);
  }, 240_000);

  it('refuses to remove an external an app still uses, naming the app; removes it once none does', async () => {
    const refused = await runCli(['external', 'remove', 'nas'], opts);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/external 'nas' is used by nas-photos/);
    expect(show('kubernetes/apps/dynamic/externals/nas.yaml')).toContain('EndpointSlice');

    expect((await runCli(['delete', 'nas-photos'], opts)).code).toBe(0);
    const removed = await runCli(['external', 'remove', 'nas'], opts);
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(subjects()[0]).toBe('Remove external nas');
    expect(() => show('kubernetes/apps/dynamic/externals/nas.yaml')).toThrow();
    expect(parse(show('kubernetes/apps/dynamic/kustomization.yaml')).resources ?? []).not.toContain('./externals/nas.yaml');
    expect(JSON.parse((await runCli(['external', 'list', '--json'], opts)).stdout)).toEqual([]);
  }, 120_000);
});
