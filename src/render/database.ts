import type { AppSpec } from '../domain/app-spec.ts';
import { InputError } from '../domain/errors.ts';
import type { RenderSettings } from './settings.ts';
import type { KubeObject, Labels } from './types.ts';

/** The environment variable an app reads its database's connection string from, on both targets. */
export const DATABASE_URL = 'DATABASE_URL';
/** The file of an app's CloudNativePG Cluster among its manifests. */
export const DATABASE_FILE = 'database.yaml';

/**
 * Neither Flux nor Argo CD deletes the Cluster when its file leaves Git: deleting an app keeps its
 * data (`--keep-data` is the default on the cluster), and a person deletes the Cluster on purpose.
 */
export const KEEP_WHEN_PRUNED = { 'kustomize.toolkit.fluxcd.io/prune': 'disabled', 'argocd.argoproj.io/sync-options': 'Prune=false' };

/** The longest app name that still leaves CloudNativePG room for its pod, service and secret names. */
const MAX_APP_NAME = 50;

/**
 * The name of an app's CloudNativePG Cluster, and of the Secret the operator generates for its
 * owner (`<cluster>-app`, whose `uri` key is a full `postgresql://` connection string).
 * @example databaseNames('guestbook') // { cluster: 'guestbook-db', appSecret: 'guestbook-db-app' }
 */
export function databaseNames(app: string): { cluster: string; appSecret: string } {
  const cluster = `${app}-db`;
  return { cluster, appSecret: `${cluster}-app` };
}

/** Whether the app asked for a database (the plan's `needs.database`, or `--database postgres`). */
export function needsDatabase(spec: AppSpec): boolean {
  return spec.needs?.database === 'postgres';
}

/**
 * The app's CloudNativePG `Cluster` (`postgresql.cnpg.io/v1`): one instance, a volume of
 * `database.storage`, small requests, and a database and owner both named after the app. The
 * operator creates the owner's password and the `<app>-db-app` Secret the Deployment reads.
 * @example renderDatabase(spec, settings, labels).spec.bootstrap.initdb // { database: 'guestbook', owner: 'guestbook' }
 */
export function renderDatabase(spec: AppSpec, settings: RenderSettings, labels: Labels) {
  const app = spec.name;
  if (app.length > MAX_APP_NAME) {
    throw new InputError(`'${app}' is too long a name for an app with a database: at most ${MAX_APP_NAME} characters leave room for the database's own objects`, {
      hint: 'Rename the app, e.g. --name my-app.',
    });
  }
  const { database } = settings;
  // PostgreSQL role and database names: the app's name with '-' as '_', so no quoting is ever needed.
  const owner = app.replaceAll('-', '_');
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: databaseNames(app).cluster, namespace: settings.namespace, labels, annotations: KEEP_WHEN_PRUNED },
    spec: {
      instances: 1,
      ...(database.imageName === undefined ? {} : { imageName: database.imageName }),
      bootstrap: { initdb: { database: owner, owner } },
      storage: { size: database.storage, ...(database.storageClass === undefined ? {} : { storageClass: database.storageClass }) },
      resources: {
        requests: { cpu: database.resources.requests.cpu, memory: database.resources.requests.memory },
        limits: { memory: database.resources.limits.memory },
      },
    },
  } satisfies KubeObject;
}

/**
 * The Deployment's `DATABASE_URL`: the `uri` key of the Secret the operator generates for the
 * database's owner, so the password never passes through Slipway or Git.
 */
export function databaseUrlEnv(app: string) {
  return { name: DATABASE_URL, valueFrom: { secretKeyRef: { name: databaseNames(app).appSecret, key: 'uri' } } };
}
