import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { InputError } from '../domain/errors.ts';
import { renderApp, renderAppChecked, renderAppObjects, writeManifests } from './app.ts';
import { podSecurityProblems } from './pod-security.ts';
import { RenderSettingsSchema } from '../../test/support/render-settings.ts';
import { flavours, reverseKeys, SEMVER_IMAGE, sampleSpec } from './test-fixtures.ts';
import { validateObjects } from './validate/index.ts';

const input = { image: SEMVER_IMAGE };
const dir = 'kubernetes/apps/dynamic/pomodoro-timer';

/** All files of a flavour as one YAML stream, each document preceded by its path. */
function stream(settings: ReturnType<typeof flavours>[keyof ReturnType<typeof flavours>]): string {
  return renderApp(sampleSpec(), input, settings)
    .map((file) => `# file: ${file.path}\n${file.content}`)
    .join('---\n');
}

describe.each(Object.entries(flavours()))('the %s flavour', (flavour, settings) => {
  it('matches the reviewed files', async () => {
    await expect(stream(settings)).toMatchFileSnapshot(`./__snapshots__/app.${flavour}.yaml`);
  });

  it('validates against the upstream schemas, for a stateless and a persistent app', () => {
    for (const persistent of [false, true]) {
      const objects = renderAppObjects(sampleSpec({ persistent }), input, settings).map((m) => m.object);
      expect(validateObjects(objects)).toEqual([]);
    }
  });

  it('renders only pods that meet the restricted Pod Security Standard', () => {
    let pods = 0;
    for (const persistent of [false, true]) {
      for (const file of renderApp(sampleSpec({ persistent }), input, settings)) {
        const pod = parse(file.content).spec?.template?.spec;
        if (pod === undefined) continue;
        pods++;
        expect(podSecurityProblems(pod)).toEqual([]);
      }
    }
    expect(pods).toBe(2);
  });

  it('gives the same bytes every time and whatever order keys were built in', () => {
    const once = renderApp(sampleSpec(), input, settings);
    expect(renderApp(sampleSpec(), input, settings)).toEqual(once);
    expect(renderApp(reverseKeys(sampleSpec()), { image: SEMVER_IMAGE }, reverseKeys(settings))).toEqual(once);
  });

  it('writes one parseable document per file, and lists every manifest in the app kustomization', () => {
    const files = renderApp(sampleSpec(), input, settings);
    for (const file of files) {
      const docs = parseAllDocuments(file.content);
      expect(docs).toHaveLength(1);
      expect(docs[0]?.errors).toEqual([]);
    }
    const manifests = files.filter((f) => f.path.startsWith(`${dir}/app/`) && !f.path.endsWith('/kustomization.yaml')).map((f) => f.path.slice(`${dir}/app/`.length));
    const kustomization = parse(files.find((f) => f.path === `${dir}/app/kustomization.yaml`)?.content ?? '');
    expect(kustomization.resources).toEqual(manifests);
  });
});

describe('renderAppObjects', () => {
  const all = flavours();
  const paths = (settings: (typeof all)['flux']) => renderAppObjects(sampleSpec(), input, settings).map((m) => m.path);

  it('renders ks.yaml for Flux and application.yaml for Argo CD, never both', () => {
    expect(paths(all.flux)).toContain(`${dir}/ks.yaml`);
    expect(paths(all.flux).some((p) => p.endsWith('application.yaml'))).toBe(false);
    expect(paths(all['argocd-per-app'])).toEqual([
      `${dir}/app/deployment.yaml`,
      `${dir}/app/httproute.yaml`,
      `${dir}/app/kustomization.yaml`,
      `${dir}/app/networkpolicy.yaml`,
      `${dir}/app/service.yaml`,
      `${dir}/application.yaml`,
    ]);
  });

  it('adds the app-of-apps parent Application once, at the same path and bytes for every app', () => {
    const settings = all['argocd-app-of-apps'];
    const parentOf = (name: string) => renderApp(sampleSpec({ name }), input, settings).filter((f) => f.path === 'kubernetes/apps/dynamic/slipway-apps.yaml');
    expect(parentOf('pomodoro-timer')).toHaveLength(1);
    expect(parentOf('notes')).toEqual(parentOf('pomodoro-timer'));
    expect(paths(all['argocd-per-app'])).not.toContain('kubernetes/apps/dynamic/slipway-apps.yaml');
  });

  it('adds the image objects and the setter marker only with Flux image automation', () => {
    expect(paths(all['flux-image-automation'])).toEqual(expect.arrayContaining([`${dir}/app/imagepolicy.yaml`, `${dir}/app/imagerepository.yaml`]));
    expect(paths(all.flux).some((p) => p.includes('image'))).toBe(false);
    const deployment = (settings: (typeof all)['flux']) => renderAppObjects(sampleSpec(), input, settings).find((m) => m.object.kind === 'Deployment');
    expect(deployment(all.flux)).not.toHaveProperty('lineComments');
    expect(deployment(all['flux-image-automation'])?.lineComments).toEqual([
      { path: ['spec', 'template', 'spec', 'containers', 0, 'image'], text: '{"$imagepolicy": "dynamic-apps:pomodoro-timer"}' },
    ]);
  });

  it('leaves the NetworkPolicy out when it is turned off', () => {
    const settings = RenderSettingsSchema.parse({ networkPolicy: { enabled: false } });
    expect(paths(settings).some((p) => p.endsWith('networkpolicy.yaml'))).toBe(false);
  });

  it('keeps ${CLUSTER_DOMAIN} in the host name for Flux to substitute, and the result validates', () => {
    const files = renderApp(sampleSpec(), input, all['flux-image-automation']);
    const route = parse(files.find((f) => f.path.endsWith('httproute.yaml'))?.content ?? '');
    expect(route.spec.hostnames).toEqual(['pomodoro-timer.apps.${CLUSTER_DOMAIN}']);
  });

  it('refuses an image with a Flux variable for Argo CD, which would apply it as it is', () => {
    const image = `\${REGISTRY_URL}/dynamic-apps/pomodoro-timer:1@sha256:${'ab'.repeat(32)}`;
    expect(() => renderAppObjects(sampleSpec(), { image }, all['argocd-per-app'])).toThrow(/Argo CD does not substitute/);
    expect(renderAppObjects(sampleSpec(), { image }, all.flux).length).toBeGreaterThan(0);
  });
});

describe('renderAppChecked', () => {
  it('returns the files renderApp writes and the objects in them', () => {
    const settings = flavours()['flux-image-automation'];
    const { files, objects } = renderAppChecked(sampleSpec(), input, settings);
    expect(files).toEqual(renderApp(sampleSpec(), input, settings));
    expect(files.map((f) => parse(f.content))).toEqual(objects);
    expect(writeManifests(renderAppObjects(sampleSpec(), input, settings))).toEqual(files);
  });

  it('refuses to hand out files when an object would not pass its schema', () => {
    // Settings built by hand skip their schema: the way a wrong value could reach the writer.
    const settings = flavours().flux;
    settings.gateway.parentRefs[0] = { name: 'gateway', namespace: 'Not_A_Namespace' };
    const attempt = () => renderAppChecked(sampleSpec(), input, settings);
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(/HTTPRoute\/pomodoro-timer: spec\.parentRefs\[0\]\.namespace: must match the pattern/);
  });
});
