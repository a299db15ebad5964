import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConflictError, InputError } from '../domain/errors.ts';
import { engineChoice, engineRender } from '../../test/support/render-settings.ts';
import { appEntry, PARENT_HEADER, renderParentKustomization as renderWith, type ParentChange } from './parent-kustomization.ts';

/** The parent kustomization for the engine of that name (Flux unless named), beside all built-in ones. */
const renderParentKustomization = (existing: string | undefined, change: ParentChange, options: { engine?: string } = {}) =>
  renderWith(existing, change, engineChoice(options.engine));

const resources = (text: string): string[] => parse(text).resources;

describe('renderParentKustomization', () => {
  it('creates the file when there is none', async () => {
    const text = renderParentKustomization(undefined, { add: 'pomodoro-timer' });
    expect(parse(text)).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['./pomodoro-timer/ks.yaml'] });
    expect(text.startsWith(`# ${PARENT_HEADER}\napiVersion:`)).toBe(true);
    expect(renderParentKustomization('', { add: 'pomodoro-timer' })).toBe(text);
    await expect(text).toMatchFileSnapshot('./__snapshots__/parent-kustomization.yaml');
  });

  it('lists and unlists an external\'s file beside the apps, leaving the text as it was when nothing changes', () => {
    const apps = renderParentKustomization(undefined, { add: 'notes' });
    const listed = renderParentKustomization(apps, { addEntry: './externals/nas.yaml' });
    expect(resources(listed)).toEqual(['./externals/nas.yaml', './notes/ks.yaml']);
    expect(renderParentKustomization(listed, { addEntry: 'externals/nas.yaml' })).toBe(listed);
    expect(resources(renderParentKustomization(listed, { removeEntry: './externals/nas.yaml' }))).toEqual(['./notes/ks.yaml']);
    expect(renderParentKustomization(apps, { removeEntry: './externals/nas.yaml' })).toBe(apps);
  });

  it('adds a second app in sorted order', () => {
    const one = renderParentKustomization(undefined, { add: 'pomodoro-timer' });
    const two = renderParentKustomization(one, { add: 'notes' });
    expect(resources(two)).toEqual(['./notes/ks.yaml', './pomodoro-timer/ks.yaml']);
    expect(renderParentKustomization(renderParentKustomization(undefined, { add: 'notes' }), { add: 'pomodoro-timer' })).toBe(two);
  });

  it('returns the text unchanged when the app is already listed, even in a form of its own', () => {
    const handWritten = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- zeta/ks.yaml\n- ./alpha/ks.yaml  # odd spacing kept\n';
    expect(renderParentKustomization(handWritten, { add: 'zeta' })).toBe(handWritten);
    expect(renderParentKustomization(handWritten, { add: 'alpha' })).toBe(handWritten);
    expect(renderParentKustomization(handWritten, { remove: 'not-there' })).toBe(handWritten);
  });

  it('removes an app in either form and keeps an empty list', () => {
    const two = renderParentKustomization(renderParentKustomization(undefined, { add: 'a' }), { add: 'b' });
    expect(resources(renderParentKustomization(two, { remove: 'a' }))).toEqual(['./b/ks.yaml']);
    const none = renderParentKustomization(renderParentKustomization(two, { remove: 'a' }), { remove: 'b' });
    expect(parse(none)).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [] });
    expect(resources(renderParentKustomization('kind: Kustomization\nresources:\n  - b/ks.yaml\n', { remove: 'b' }))).toEqual([]);
  });

  it('keeps entries, fields and comments a person put there, and drops duplicates', () => {
    const existing = [
      '# Managed by hand and by Slipway',
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'namespace: dynamic-apps',
      'resources:',
      '  - ./namespace.yaml # the apps namespace',
      '  - ./zeta/ks.yaml',
      '  - ../shared/network-policy.yaml',
      '  - ./zeta/ks.yaml',
      'commonLabels:',
      '  owner: me',
      '',
    ].join('\n');
    const text = renderParentKustomization(existing, { add: 'notes' });
    expect(text).toBe(
      [
        '# Managed by hand and by Slipway',
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'namespace: dynamic-apps',
        'resources:',
        '  - ../shared/network-policy.yaml',
        '  - ./namespace.yaml # the apps namespace',
        '  - ./notes/ks.yaml',
        '  - ./zeta/ks.yaml',
        'commonLabels:',
        '  owner: me',
        '',
      ].join('\n'),
    );
    expect(resources(renderParentKustomization(text, { remove: 'zeta' }))).toEqual(['../shared/network-policy.yaml', './namespace.yaml', './notes/ks.yaml']);
  });

  it('adds a resources list to a kustomization that has none, and keeps a comment-only file\'s comment', () => {
    expect(resources(renderParentKustomization('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n', { add: 'a' }))).toEqual(['./a/ks.yaml']);
    expect(resources(renderParentKustomization('kind: Kustomization\nresources:\n', { add: 'a' }))).toEqual(['./a/ks.yaml']);
    const fromComment = renderParentKustomization('# apps go here\n', { add: 'a' });
    expect(fromComment).toContain('# apps go here');
    expect(resources(fromComment)).toEqual(['./a/ks.yaml']);
  });

  it('gives the same bytes for the same text and change', () => {
    const existing = 'kind: Kustomization\nresources: [./c/ks.yaml, ./a/ks.yaml]\n';
    expect(renderParentKustomization(existing, { add: 'b' })).toBe(renderParentKustomization(existing, { add: 'b' }));
    expect(resources(renderParentKustomization(existing, { add: 'b' }))).toEqual(['./a/ks.yaml', './b/ks.yaml', './c/ks.yaml']);
  });

  it.each([
    ['invalid YAML', 'resources: [unclosed\n'],
    ['two documents', 'kind: Kustomization\n---\nkind: Kustomization\n'],
    ['another kind', 'apiVersion: v1\nkind: ConfigMap\n'],
    ['a list at the top', '- a\n- b\n'],
    ['resources that are not paths', 'kind: Kustomization\nresources:\n  - path: x\n'],
  ])('refuses a file holding %s, saying what to fix', (_what, existing) => {
    const attempt = () => renderParentKustomization(existing, { add: 'a' });
    expect(attempt).toThrow(ConflictError);
    expect(attempt).toThrow(/parent kustomization\.yaml/);
  });

  it('lists an app\'s Argo CD Application with engine argocd, and switches an app\'s entry with the engine', () => {
    expect(appEntry('notes', engineRender('argocd'))).toBe('./notes/application.yaml');
    const argo = renderParentKustomization(undefined, { add: 'notes' }, { engine: 'argocd' });
    expect(resources(argo)).toEqual(['./notes/application.yaml']);
    expect(renderParentKustomization(argo, { add: 'notes' }, { engine: 'argocd' })).toBe(argo);
    const both = renderParentKustomization(argo, { add: 'zeta' }, { engine: 'flux' });
    expect(resources(both)).toEqual(['./notes/application.yaml', './zeta/ks.yaml']);
    // A switch of engine rewrites the app's folder, so its old entry would name a file that is gone.
    expect(resources(renderParentKustomization(both, { add: 'notes' }, { engine: 'flux' }))).toEqual(['./notes/ks.yaml', './zeta/ks.yaml']);
    expect(resources(renderParentKustomization(both, { add: 'zeta' }, { engine: 'argocd' }))).toEqual(['./notes/application.yaml', './zeta/application.yaml']);
  });

  it('removes an app whichever engine listed it', () => {
    const both = renderParentKustomization(renderParentKustomization(undefined, { add: 'a' }, { engine: 'argocd' }), { add: 'b' });
    expect(resources(renderParentKustomization(both, { remove: 'a' }))).toEqual(['./b/ks.yaml']);
    expect(resources(renderParentKustomization(both, { remove: 'b' }, { engine: 'argocd' }))).toEqual(['./a/application.yaml']);
  });

  it('refuses names that are not app names', () => {
    expect(() => renderParentKustomization(undefined, { add: '../etc' })).toThrow(InputError);
    expect(() => renderParentKustomization(undefined, { remove: 'A' })).toThrow(InputError);
  });
});
