import { describe, expect, it } from 'vitest';
import { renderDeployment } from './deployment.ts';
import { gatewayNamespace, renderNetworkPolicy } from './network-policy.ts';
import { defaultRenderSettings, RenderSettingsSchema } from '../../test/support/render-settings.ts';
import { SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';
import { renderCiliumEgress } from './cilium-egress.ts';
import { renderAppObjects } from './app.ts';
import { validateObjects } from './validate/index.ts';
import type { External } from '../domain/external.ts';
import { InputError } from '../domain/errors.ts';

const settings = defaultRenderSettings();
const DNS = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};
const nas: External = { name: 'nas', address: '192.168.1.20', port: 445, protocol: 'TCP' };
const printer: External = { name: 'printer', address: 'fd00::631', port: 631, protocol: 'UDP' };
const cilium = RenderSettingsSchema.parse({ egress: { mechanism: 'cilium', hosts: ['api.example.com'] } });

describe('renderNetworkPolicy', () => {
  it('lets only the gateway namespace reach the app\'s pods, on the container port', () => {
    const policy = renderNetworkPolicy(sampleSpec({ port: 3000 }), { image: SAMPLE_IMAGE }, settings);
    expect(policy.metadata).toMatchObject({ name: 'pomodoro-timer', namespace: 'dynamic-apps' });
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'pomodoro-timer', 'app.kubernetes.io/instance': 'pomodoro-timer' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [{ protocol: 'TCP', port: 3000 }] }],
      egress: [DNS],
    });
    const deployment = renderDeployment(sampleSpec({ port: 3000 }), { image: SAMPLE_IMAGE }, settings);
    expect(deployment.spec.template.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels);
    expect(deployment.spec.template.spec.containers[0]?.ports[0]?.containerPort).toBe(policy.spec.ingress[0]?.ports[0]?.port);
  });

  it('takes the namespace of the first parentRef, or the apps namespace when it names none', () => {
    const network = RenderSettingsSchema.parse({ gateway: { parentRefs: [{ name: 'cilium', namespace: 'network' }, { name: 'internal', namespace: 'other' }] } });
    expect(gatewayNamespace(network)).toBe('network');
    const local = RenderSettingsSchema.parse({ namespace: 'apps', gateway: { parentRefs: [{ name: 'gw' }] } });
    expect(gatewayNamespace(local)).toBe('apps');
    const policy = renderNetworkPolicy(sampleSpec(), { image: SAMPLE_IMAGE }, local);
    expect(policy.spec.ingress[0]?.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } } }]);
  });

  describe('egress', () => {
    it('allows DNS only to an app that declared nothing', () => {
      const policy = renderNetworkPolicy(sampleSpec(), { image: SAMPLE_IMAGE }, settings);
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec.egress).toEqual([DNS]);
      expect(renderCiliumEgress(sampleSpec(), { image: SAMPLE_IMAGE }, settings)).toBeUndefined();
    });

    it('allows each external\'s address alone, on its port and protocol, in name order', () => {
      const policy = renderNetworkPolicy(sampleSpec(), { image: SAMPLE_IMAGE, egress: { externals: [printer, nas] } }, settings);
      expect(policy.spec.egress).toEqual([
        DNS,
        { to: [{ ipBlock: { cidr: '192.168.1.20/32' } }], ports: [{ protocol: 'TCP', port: 445 }] },
        { to: [{ ipBlock: { cidr: 'fd00::631/128' } }], ports: [{ protocol: 'UDP', port: 631 }] },
      ]);
    });

    it('allows its database\'s pods on 5432', () => {
      const policy = renderNetworkPolicy(sampleSpec(), { image: SAMPLE_IMAGE, egress: { database: true } }, settings);
      expect(policy.spec.egress).toEqual([DNS, { to: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': 'pomodoro-timer-db' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);
    });

    it('allows host names through a CiliumNetworkPolicy, with DNS through Cilium\'s proxy so it learns the names', () => {
      const input = { image: SAMPLE_IMAGE, egress: { hosts: ['*.weather.example'], externals: [{ name: 'mail', address: 'smtp.example.com', port: 587, protocol: 'TCP' as const }] } };
      // The NetworkPolicy keeps DNS only: it cannot name a host.
      expect(renderNetworkPolicy(sampleSpec(), input, cilium).spec.egress).toEqual([DNS]);
      const policy = renderCiliumEgress(sampleSpec(), input, cilium)!;
      expect(policy.metadata.name).toBe('pomodoro-timer-egress');
      expect(policy.spec).toEqual({
        endpointSelector: { matchLabels: { 'app.kubernetes.io/name': 'pomodoro-timer', 'app.kubernetes.io/instance': 'pomodoro-timer' } },
        egress: [
          {
            toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
            toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
          { toFQDNs: [{ matchPattern: '*.weather.example' }, { matchName: 'api.example.com' }] },
          { toFQDNs: [{ matchName: 'smtp.example.com' }], toPorts: [{ ports: [{ port: '587', protocol: 'TCP' }] }] },
        ],
      });
      const objects = renderAppObjects(sampleSpec(), input, cilium).map((m) => m.object);
      expect(objects.map((o) => o.kind)).toContain('CiliumNetworkPolicy');
      expect(validateObjects(objects)).toEqual([]);
      // The schema is strict: a misspelt field is caught.
      expect(validateObjects([{ ...policy, spec: { ...policy.spec, egress: [{ toFQDN: [{ matchName: 'a.example' }] }] } }]).length).toBeGreaterThan(0);
    });

    it('refuses host names when no egress mechanism can allow them, saying how to choose one', () => {
      expect(() => renderAppObjects(sampleSpec(), { image: SAMPLE_IMAGE, egress: { hosts: ['api.example.com'] } }, settings)).toThrow(
        /pomodoro-timer would call api\.example\.com by name/,
      );
      let refused: unknown;
      try { renderCiliumEgress(sampleSpec(), { image: SAMPLE_IMAGE, egress: { hosts: ['api.example.com'] } }, settings); } catch (error) { refused = error; }
      expect(refused).toBeInstanceOf(InputError);
      expect((refused as InputError).hint).toMatch(/render\.egress\.mechanism: cilium/);
    });

    it('refuses egress.hosts without a mechanism in the settings themselves', () => {
      const parsed = RenderSettingsSchema.safeParse({ egress: { hosts: ['api.example.com'] } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]).toMatchObject({ path: ['egress', 'hosts'], message: expect.stringMatching(/set mechanism: cilium/) });
      expect(RenderSettingsSchema.safeParse({ egress: { hosts: ['API.example.com', 'bad host'], mechanism: 'cilium' } }).error?.issues.map((i) => i.path)).toEqual([['egress', 'hosts', 1]]);
    });

    it('is left out with networkPolicy.egress false, for a CNI that ignores egress rules', () => {
      const off = RenderSettingsSchema.parse({ networkPolicy: { egress: false } });
      const policy = renderNetworkPolicy(sampleSpec(), { image: SAMPLE_IMAGE, egress: { externals: [nas], hosts: ['api.example.com'] } }, off);
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      expect(policy.spec).not.toHaveProperty('egress');
      expect(renderAppObjects(sampleSpec(), { image: SAMPLE_IMAGE, egress: { hosts: ['api.example.com'] } }, off).map((m) => m.object.kind)).not.toContain('CiliumNetworkPolicy');
    });

    it('validates against Kubernetes\' schema with every kind of rule', () => {
      const policy = renderNetworkPolicy(sampleSpec(), { image: SAMPLE_IMAGE, egress: { externals: [nas, printer], database: true } }, settings);
      expect(validateObjects([policy])).toEqual([]);
    });
  });
});
