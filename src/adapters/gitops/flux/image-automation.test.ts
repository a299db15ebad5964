import { describe, expect, it } from 'vitest';
import { isScalar, parse, parseDocument } from 'yaml';
import { renderApp } from '../../../render/app.ts';
import { imagePolicyRef, imageSetterMarker, renderImagePolicy, renderImageRepository } from './image-automation.ts';
import { RenderSettingsSchema } from '../../../../test/support/render-settings.ts';
import { flavours, SEMVER_IMAGE, sampleSpec } from '../../../render/test-fixtures.ts';
import { RENDERED_HEADER, toYaml } from '../../../render/yaml-writer.ts';

const settings = flavours()['flux-image-automation'];
const input = { image: SEMVER_IMAGE };
const automation = (imageAutomation: Record<string, unknown>) => RenderSettingsSchema.parse({ flux: { imageAutomation: { enabled: true, ...imageAutomation } } });

describe('renderImageRepository', () => {
  it('scans the image repository without tag or digest, with the registry login', () => {
    const repository = renderImageRepository(sampleSpec(), input, settings);
    expect(repository.apiVersion).toBe('image.toolkit.fluxcd.io/v1');
    expect(repository.metadata).toMatchObject({ name: 'pomodoro-timer', namespace: 'dynamic-apps' });
    expect(repository.spec).toEqual({ image: 'registry.k8s-lab.dev/dynamic-apps/pomodoro-timer', interval: '5m', secretRef: { name: 'registry-login' } });
  });

  it('keeps a Flux variable in the registry host and says when the registry is plain HTTP', () => {
    const image = `\${REGISTRY_URL}/dynamic-apps/pomodoro-timer:3f2a9c1@sha256:${'ab'.repeat(32)}`;
    const repository = renderImageRepository(sampleSpec(), { image }, automation({ insecure: true, interval: '1m' }));
    expect(repository.spec).toEqual({ image: '${REGISTRY_URL}/dynamic-apps/pomodoro-timer', interval: '1m', insecure: true });
  });
});

describe('renderImagePolicy', () => {
  it('matches the reviewed manifest', async () => {
    await expect(toYaml(renderImagePolicy(sampleSpec(), input, settings), { header: RENDERED_HEADER })).toMatchFileSnapshot('../../../render/__snapshots__/imagepolicy.yaml');
  });

  it.each([
    [{ semver: '>=1.0.0 <2.0.0' }, { semver: { range: '>=1.0.0 <2.0.0' } }],
    [{ alphabetical: 'desc' }, { alphabetical: { order: 'desc' } }],
    [{ numerical: 'asc' }, { numerical: { order: 'asc' } }],
  ])('turns the policy setting %j into the CRD form', (policy, expected) => {
    expect(renderImagePolicy(sampleSpec(), input, automation({ policy })).spec.policy).toEqual(expected);
  });

  it('reflects digests so an automated update stays pinned, checking them as often as it scans', () => {
    const policy = renderImagePolicy(sampleSpec(), input, automation({ interval: '2m' }));
    expect(policy.spec).toMatchObject({ imageRepositoryRef: { name: 'pomodoro-timer' }, digestReflectionPolicy: 'Always', interval: '2m' });
    expect(policy.spec).not.toHaveProperty('filterTags');
  });
});

describe('the image setter marker', () => {
  it('names the ImagePolicy by namespace and name', () => {
    expect(imagePolicyRef('pomodoro-timer', settings)).toBe('dynamic-apps:pomodoro-timer');
    expect(imageSetterMarker('pomodoro-timer', settings)).toBe('{"$imagepolicy": "dynamic-apps:pomodoro-timer"}');
  });

  it('sits at the end of the Deployment\'s image line and nowhere else', () => {
    const files = renderApp(sampleSpec(), input, settings);
    const deployment = files.find((f) => f.path.endsWith('/deployment.yaml'))?.content ?? '';
    const marked = deployment.split('\n').filter((line) => line.includes('$imagepolicy'));
    expect(marked).toEqual([`          image: ${SEMVER_IMAGE} # {"$imagepolicy": "dynamic-apps:pomodoro-timer"}`]);
    for (const file of files.filter((f) => !f.path.endsWith('/deployment.yaml'))) {
      expect(file.content).not.toContain('$imagepolicy');
    }
    // As YAML: the comment belongs to the image scalar, and the value is the image alone.
    const doc = parseDocument(deployment);
    const node = doc.getIn(['spec', 'template', 'spec', 'containers', 0, 'image'], true);
    expect(isScalar(node) && node.comment).toBe(' {"$imagepolicy": "dynamic-apps:pomodoro-timer"}');
    expect(parse(deployment).spec.template.spec.containers[0].image).toBe(SEMVER_IMAGE);
  });

  it('is absent without image automation', () => {
    for (const flavour of ['flux', 'argocd-per-app'] as const) {
      const files = renderApp(sampleSpec(), input, flavours()[flavour]);
      expect(files.some((f) => f.content.includes('$imagepolicy'))).toBe(false);
    }
  });
});
