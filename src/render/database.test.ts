import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../domain/errors.ts';
import { renderApp, renderAppObjects } from './app.ts';
import { databaseNames, renderDatabase } from './database.ts';
import { RenderSettingsSchema } from '../../test/support/render-settings.ts';
import { flavours, SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';
import { validateObjects } from './validate/index.ts';

const input = { image: SAMPLE_IMAGE };
const withDatabase = () => sampleSpec({ name: 'guestbook', runtime: 'node', needs: { database: 'postgres' } });

describe('an app that needs a database', () => {
  it.each(Object.entries(flavours()))('renders a CloudNativePG Cluster that validates against the CRD (%s)', (_flavour, settings) => {
    const objects = renderAppObjects(withDatabase(), input, settings).map((m) => m.object);
    expect(objects.filter((o) => o.kind === 'Cluster').map((o) => o.apiVersion)).toEqual(['postgresql.cnpg.io/v1']);
    expect(validateObjects(objects)).toEqual([]);
  });

  it('sizes the Cluster for a Pi by default: one instance, 1Gi, small requests, database and owner named after the app', () => {
    const cluster = renderDatabase(sampleSpec({ name: 'guest-book' }), RenderSettingsSchema.parse({}), {});
    expect(cluster.metadata).toMatchObject({ name: 'guest-book-db', namespace: 'dynamic-apps' });
    // Deleting the app from Git keeps its data: neither engine prunes the Cluster.
    expect(cluster.metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'argocd.argoproj.io/sync-options': 'Prune=false' });
    expect(cluster.spec).toEqual({
      instances: 1,
      bootstrap: { initdb: { database: 'guest_book', owner: 'guest_book' } },
      storage: { size: '1Gi' },
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    });
  });

  it('takes storage, class, image and resources from the database settings', () => {
    const imageName = `ghcr.io/cloudnative-pg/postgresql:17.5@sha256:${'ab'.repeat(32)}`;
    const settings = RenderSettingsSchema.parse({ database: { storage: '5Gi', storageClass: 'local-path', imageName, resources: { limits: { memory: '1Gi' } } } });
    const cluster = renderDatabase(withDatabase(), settings, {});
    expect(cluster.spec).toMatchObject({ imageName, storage: { size: '5Gi', storageClass: 'local-path' }, resources: { limits: { memory: '1Gi' } } });
    expect(validateObjects([cluster])).toEqual([]);
  });

  it('refuses a storage size that is not a quantity', () => {
    expect(() => RenderSettingsSchema.parse({ database: { storage: 'lots' } })).toThrow(/a size such as 1Gi/);
  });

  it("hands the Deployment DATABASE_URL from the operator's app Secret and lists the Cluster in the kustomization", () => {
    const files = renderApp(withDatabase(), input, RenderSettingsSchema.parse({}));
    const deployment = parse(files.find((f) => f.path.endsWith('/app/deployment.yaml'))!.content);
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: databaseNames('guestbook').appSecret, key: 'uri' } },
    });
    expect(databaseNames('guestbook').appSecret).toBe('guestbook-db-app');
    expect(parse(files.find((f) => f.path.endsWith('/app/kustomization.yaml'))!.content).resources).toContain('database.yaml');
    expect(files.some((f) => f.content.includes('password'))).toBe(false);
  });

  it('renders no Cluster and no DATABASE_URL for an app without one', () => {
    const files = renderApp(sampleSpec(), input, RenderSettingsSchema.parse({}));
    expect(files.some((f) => f.path.endsWith('/database.yaml') || f.content.includes('DATABASE_URL'))).toBe(false);
  });

  it('refuses an app name that leaves the operator no room for its own names', () => {
    expect(() => renderDatabase(sampleSpec({ name: 'a'.repeat(51) }), RenderSettingsSchema.parse({}), {})).toThrow(InputError);
  });
});
