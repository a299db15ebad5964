import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { renderApp } from '../../render/index.ts';
import { renderSettingsFrom } from '../../../test/support/render-settings.ts';
import { renderCommand } from './render-command.ts';

const IMAGE = `registry.k8s-lab.dev/dynamic-apps/notes:v1.0.0@sha256:${'0123456789abcdef'.repeat(4)}`;
const ARGO_CONFIG = 'render:\n  appsDomain: apps.k8s-lab.dev\n  argocd:\n    repoURL: https://git.k8s-lab.dev/homelab/gitops.git\n';

let dir: string;
let out: string;
let stdout: string;
let stderr: string;

/** Points Slipway at a slipway.yaml of the test's own and captures what the command prints. */
function useConfig(text: string): void {
  writeFileSync(join(dir, 'slipway.yaml'), text);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-render-'));
  out = join(dir, 'gitops');
  useConfig('');
  vi.stubEnv('SLIPWAY_CONFIG', join(dir, 'slipway.yaml'));
  vi.stubEnv('SLIPWAY_HOME', join(dir, 'home'));
  vi.stubEnv('SLIPWAY_CACHE', join(dir, 'cache'));
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const read = (path: string) => readFileSync(join(out, path), 'utf8');
const app = 'kubernetes/apps/dynamic/notes';

describe('slipway render', () => {
  it('writes the Flux files at their GitOps paths, the same bytes renderApp gives, and lists them', async () => {
    expect(await renderCommand({ name: 'notes', image: IMAGE, out })).toBe(0);
    const spec = { name: 'notes', description: '', template: 'node', templateVersion: '0.0.0', runtime: 'node' as const, port: 8080, persistent: false, command: ['node', 'server.js'] };
    const expected = renderApp(spec, { image: IMAGE }, renderSettingsFrom({}));
    for (const file of expected) expect(read(file.path)).toBe(file.content);
    expect(parse(read('kubernetes/apps/dynamic/kustomization.yaml')).resources).toEqual(['./notes/ks.yaml']);
    expect(stdout.split('\n').slice(1, -1).map((l) => l.trim())).toEqual([...expected.map((f) => f.path), 'kubernetes/apps/dynamic/kustomization.yaml']);
    expect(stdout).toMatch(/^Rendered notes for Flux into /);
    const deployment = parse(read(`${app}/app/deployment.yaml`));
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({ image: IMAGE, ports: [{ containerPort: 8080 }] });
  });

  it('compiles the CRD schemas it validates against once, into $SLIPWAY_CACHE/validators', async () => {
    useConfig(ARGO_CONFIG);
    const validators = join(dir, 'cache', 'validators');
    expect(await renderCommand({ name: 'notes', image: IMAGE, engine: 'argocd', out })).toBe(0);
    // The Application and its HTTPRoute.
    const entries = readdirSync(validators).sort();
    expect(entries).toHaveLength(2);
    const written = entries.map((f) => statSync(join(validators, f)).mtimeMs);
    expect(await renderCommand({ name: 'notes', image: IMAGE, engine: 'argocd', out })).toBe(0);
    expect(readdirSync(validators).sort()).toEqual(entries);
    expect(entries.map((f) => statSync(join(validators, f)).mtimeMs)).toEqual(written);
  });

  it('renders for Argo CD with --engine argocd, and a later Flux render replaces the folder', async () => {
    useConfig(ARGO_CONFIG);
    expect(await renderCommand({ name: 'notes', image: IMAGE, engine: 'argocd', out, json: true })).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ app: 'notes', engine: 'argocd', out });
    expect(report.files).toContain(`${app}/application.yaml`);
    expect(existsSync(join(out, app, 'ks.yaml'))).toBe(false);
    expect(parse(read(`${app}/application.yaml`)).spec.source).toMatchObject({ repoURL: 'https://git.k8s-lab.dev/homelab/gitops.git', path: `${app}/app` });
    expect(parse(read('kubernetes/apps/dynamic/kustomization.yaml')).resources).toEqual(['./notes/application.yaml']);

    expect(await renderCommand({ name: 'notes', image: IMAGE, engine: 'flux', out })).toBe(0);
    expect(existsSync(join(out, app, 'application.yaml'))).toBe(false);
    expect(existsSync(join(out, app, 'ks.yaml'))).toBe(true);
    expect(parse(read('kubernetes/apps/dynamic/kustomization.yaml')).resources).toEqual(['./notes/ks.yaml']);
  });

  it('follows slipway.yaml: engine, app-of-apps, and the GitOps path', async () => {
    useConfig(`engine: argocd\ngit:\n  gitops:\n    path: clusters/pi/apps\n${ARGO_CONFIG}    mode: app-of-apps\n`);
    expect(await renderCommand({ name: 'notes', image: IMAGE, out })).toBe(0);
    expect(parse(read('clusters/pi/apps/slipway-apps.yaml')).spec.source.path).toBe('clusters/pi/apps');
    expect(parse(read('clusters/pi/apps/notes/application.yaml')).spec.source.path).toBe('clusters/pi/apps/notes/app');
  });

  it('keeps the other entries of an existing parent kustomization', async () => {
    mkdirSync(join(out, 'kubernetes/apps/dynamic'), { recursive: true });
    writeFileSync(join(out, 'kubernetes/apps/dynamic/kustomization.yaml'), 'kind: Kustomization\nresources:\n  - ./zeta/ks.yaml # by hand\n');
    expect(await renderCommand({ name: 'notes', image: IMAGE, out })).toBe(0);
    expect(read('kubernetes/apps/dynamic/kustomization.yaml')).toBe('kind: Kustomization\nresources:\n  - ./notes/ks.yaml\n  - ./zeta/ks.yaml # by hand\n');
  });

  it('keeps a ${REGISTRY_URL} registry for Flux to substitute', async () => {
    const image = `\${REGISTRY_URL}/dynamic-apps/notes:3f2a9c1@sha256:${'ab'.repeat(32)}`;
    expect(await renderCommand({ name: 'notes', image, out })).toBe(0);
    expect(parse(read(`${app}/app/deployment.yaml`)).spec.template.spec.containers[0].image).toBe(image);
  });

  it.each([
    ['a name that is no DNS label', { name: 'Notes_App' }, /'Notes_App' is not allowed/],
    ['a reserved name', { name: 'flux-system' }, /reserved/],
    ['an image without a digest', { image: 'registry.lan/apps/notes:1.0' }, /is not pinned by digest/],
    ['an image with a bad digest', { image: 'registry.lan/apps/notes:1.0@sha256:abc' }, /digest/i],
    ['an image with a URL scheme', { image: `https://registry.lan/notes@sha256:${'ab'.repeat(32)}` }, /URL scheme/],
    ['an unknown engine', { engine: 'kubectl' }, /--engine must be flux or argocd/],
    ['Argo CD without a repo URL', { engine: 'argocd' }, /render\.argocd\.repoURL/],
  ])('refuses %s with exit 2 and writes nothing', async (_what, change, message) => {
    const code = await renderCommand({ name: 'notes', image: IMAGE, out, ...change } as Parameters<typeof renderCommand>[0]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses invalid render settings in slipway.yaml, naming the field', async () => {
    useConfig('render:\n  gateway:\n    parentRefs: []\n');
    expect(await renderCommand({ name: 'notes', image: IMAGE, out, json: true })).toBe(2);
    expect(JSON.parse(stdout).error.message).toMatch(/render\.gateway\.parentRefs/);
  });
});
