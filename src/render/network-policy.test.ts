import { describe, expect, it } from 'vitest';
import { renderDeployment } from './deployment.ts';
import { gatewayNamespace, renderNetworkPolicy } from './network-policy.ts';
import { defaultRenderSettings, RenderSettingsSchema } from '../../test/support/render-settings.ts';
import { SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';

const settings = defaultRenderSettings();

describe('renderNetworkPolicy', () => {
  it('lets only the gateway namespace reach the app\'s pods, on the container port', () => {
    const policy = renderNetworkPolicy(sampleSpec({ port: 3000 }), { image: SAMPLE_IMAGE }, settings);
    expect(policy.metadata).toMatchObject({ name: 'pomodoro-timer', namespace: 'dynamic-apps' });
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'pomodoro-timer', 'app.kubernetes.io/instance': 'pomodoro-timer' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [{ protocol: 'TCP', port: 3000 }] }],
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
});
