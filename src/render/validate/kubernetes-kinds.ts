import { createRequire, findPackageJSON } from 'node:module';
import { dirname, join } from 'node:path';
import type { ErrorObject } from 'ajv';
import type { FieldProblem } from './problem.ts';
import { schemaErrorsToProblems } from './schema-errors.ts';

/** A model class of the `kubernetes-models` package: validates what it was built from. */
type ModelClass = (new (data: object) => { validate(): void }) & { apiVersion?: unknown; kind?: unknown };

const API_VERSION = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const require = createRequire(import.meta.url);
/** Loaded model classes by `<apiVersion>/<kind>`; null when the package has none. */
const models = new Map<string, ModelClass | null>();
/** The folder of the `kubernetes-models` package, found on first use. */
let packageDir: string | undefined;

/**
 * Validates a built-in Kubernetes kind (Deployment, Service, NetworkPolicy, …) against the
 * Kubernetes OpenAPI schema that the `kubernetes-models` package carries compiled, one module per
 * kind (`kubernetes-models/<apiVersion>/<Kind>.js`), loaded on first use. Returns undefined when the
 * package has no such kind. Those schemas allow unknown fields, as the OpenAPI documents do.
 * @example builtinKindProblems({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: '1' } })
 * // [{ path: 'spec.replicas', message: 'must be integer' }, …]
 */
export function builtinKindProblems(object: { apiVersion: string; kind: string }): FieldProblem[] | undefined {
  const model = modelFor(object.apiVersion, object.kind);
  if (model === null) return undefined;
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] | null }).errors;
    if (!Array.isArray(errors)) throw error;
    return schemaErrorsToProblems(errors, object.kind);
  }
}

function modelFor(apiVersion: string, kind: string): ModelClass | null {
  const key = `${apiVersion}/${kind}`;
  const known = models.get(key);
  if (known !== undefined) return known;
  let model: ModelClass | null = null;
  // Checked first: the two parts become a module path.
  if (API_VERSION.test(apiVersion) && KIND.test(kind)) {
    try {
      const module = require(join(kubernetesModelsDir(), apiVersion, `${kind}.js`)) as Record<string, unknown>;
      const found = module[kind] as ModelClass | undefined;
      // Part types (DeploymentSpec, …) are model classes too; only a kind names its apiVersion and kind.
      if (typeof found === 'function' && found.apiVersion === apiVersion && found.kind === kind) model = found;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  models.set(key, model);
  return model;
}

/**
 * The package publishes ES modules for `import` only, and validation is synchronous: its files are
 * loaded with `require` (Node loads ES modules that way too) by path, inside the package's folder.
 */
function kubernetesModelsDir(): string {
  if (packageDir !== undefined) return packageDir;
  const manifest = findPackageJSON('kubernetes-models', import.meta.url);
  if (manifest === undefined) throw new Error('the kubernetes-models package is not installed; run `npm ci` in the Slipway checkout');
  packageDir = dirname(manifest);
  return packageDir;
}
