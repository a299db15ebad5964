import { describe, expect, it } from 'vitest';
import { renderDeployment } from './deployment.ts';
import { renderService } from './service.ts';
import { defaultRenderSettings } from '../../test/support/render-settings.ts';
import { SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';
import { RENDERED_HEADER, toYaml } from './yaml-writer.ts';

const settings = defaultRenderSettings();

describe('renderService', () => {
  it('matches the reviewed manifest', async () => {
    await expect(toYaml(renderService(sampleSpec(), { image: SAMPLE_IMAGE }, settings), { header: RENDERED_HEADER })).toMatchFileSnapshot(
      './__snapshots__/service.yaml',
    );
  });

  it('serves port 80 to the container port named http, selecting the Deployment\'s pods', () => {
    const service = renderService(sampleSpec({ port: 3000 }), { image: SAMPLE_IMAGE }, settings);
    const deployment = renderDeployment(sampleSpec({ port: 3000 }), { image: SAMPLE_IMAGE }, settings);
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(deployment.spec.template.spec.containers[0]?.ports.map((p) => p.name)).toContain(service.spec.ports[0]?.targetPort);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.metadata).toMatchObject({ name: 'pomodoro-timer', namespace: 'dynamic-apps' });
  });
});
