import { describe, expect, it } from 'vitest';
import { appHostname, renderHttpRoute } from './httproute.ts';
import { defaultRenderSettings, RenderSettingsSchema } from '../../test/support/render-settings.ts';
import { reverseKeys, SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';
import { RENDERED_HEADER, toYaml } from './yaml-writer.ts';

const settings = defaultRenderSettings();

describe('renderHttpRoute', () => {
  it('matches the reviewed manifest', async () => {
    await expect(toYaml(renderHttpRoute(sampleSpec(), { image: SAMPLE_IMAGE }, settings), { header: RENDERED_HEADER })).toMatchFileSnapshot(
      './__snapshots__/httproute.yaml',
    );
  });

  it('serves <app>.${APPS_SUBDOMAIN} by default, for Flux to substitute', () => {
    const route = renderHttpRoute(sampleSpec(), { image: SAMPLE_IMAGE }, settings);
    expect(route.spec.hostnames).toEqual(['pomodoro-timer.${APPS_SUBDOMAIN}']);
    expect(toYaml(route)).toContain('    - pomodoro-timer.${APPS_SUBDOMAIN}\n');
    expect(route.spec.parentRefs).toEqual([{ name: 'gateway', namespace: 'gateway' }]);
    expect(route.spec.rules).toEqual([
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'pomodoro-timer', port: 80 }] },
    ]);
  });

  it('uses the configured domain and gateway listeners', () => {
    const custom = RenderSettingsSchema.parse({
      appsDomain: 'apps.k8s-lab.dev',
      gateway: { parentRefs: [{ sectionName: 'https', namespace: 'network', name: 'cilium-gateway' }, { name: 'internal' }] },
    });
    const route = renderHttpRoute(sampleSpec(), { image: SAMPLE_IMAGE }, custom);
    expect(appHostname('pomodoro-timer', custom)).toBe('pomodoro-timer.apps.k8s-lab.dev');
    expect(route.spec.hostnames).toEqual(['pomodoro-timer.apps.k8s-lab.dev']);
    // Written in name, namespace, sectionName order whatever order the settings had.
    expect(toYaml(route)).toContain('    - name: cilium-gateway\n      namespace: network\n      sectionName: https\n    - name: internal\n');
    expect(toYaml(renderHttpRoute(sampleSpec(), { image: SAMPLE_IMAGE }, reverseKeys(custom)))).toBe(toYaml(route));
  });
});
