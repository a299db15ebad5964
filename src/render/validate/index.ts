/**
 * Validation of rendered objects against the schemas the cluster uses, before anything is committed:
 * Flux, Gateway API and Argo CD kinds against their upstream CRDs (`schemas/crds`), Kubernetes' own
 * kinds against the OpenAPI schemas of the `kubernetes-models` package, `metadata` as the API server
 * checks it, and kustomize's `kustomization.yaml` by shape. Schemas load on first use and stay cached
 * (CRD schemas across processes too, compiled, when a cache directory is given: see compiled-validator.ts).
 */
import { InputError } from '../../domain/errors.ts';
import { CrdSchemas } from './crd-schemas.ts';
import { builtinKindProblems } from './kubernetes-kinds.ts';
import { metadataProblems } from './metadata.ts';
import { formatProblem, type FieldProblem, type ValidationProblem } from './problem.ts';
import { withSampleValues } from './variables.ts';

export { CRD_DIR, CRD_FILES, CrdSchemas } from './crd-schemas.ts';
export { formatProblem, pointerToPath, type ValidationProblem } from './problem.ts';
export { hasVariable, SAMPLE_VALUE, withSampleValues } from './variables.ts';

/** How many problems an error message lists before it says how many more there are. */
const MAX_LISTED = 30;

let shared: CrdSchemas | undefined;

export interface ValidateOptions {
  /**
   * The CRD validators; default: one per process, from the copy shipped in `schemas/crds`, compiled
   * in memory. Commands pass one with a cache directory, so a schema is compiled once, not per process.
   */
  crds?: CrdSchemas;
}

/**
 * Every way the objects do not match their schemas (empty when they all do). Flux variables such as
 * `${APPS_SUBDOMAIN}` are replaced by `example.org` in a copy first (see `withSampleValues`), because
 * Flux substitutes them before the API server sees the object. A kind with no schema here is a
 * problem too: nothing Slipway renders goes unchecked.
 * @example validateObjects([renderHttpRoute(spec, input, settings)]) // []
 */
export function validateObjects(objects: readonly object[], options: ValidateOptions = {}): ValidationProblem[] {
  const crds = options.crds ?? (shared ??= new CrdSchemas());
  const problems: ValidationProblem[] = [];
  for (const object of objects) {
    const record = object as Record<string, unknown>;
    const kind = typeof record['kind'] === 'string' ? record['kind'] : '(no kind)';
    const metadata = record['metadata'] as { name?: unknown } | undefined;
    const name = typeof metadata?.name === 'string' && metadata.name !== '' ? metadata.name : '(unnamed)';
    for (const problem of objectProblems(withSampleValues(record), crds)) problems.push({ kind, name, ...problem });
  }
  return problems;
}

/**
 * Throws an InputError listing `<kind>/<name>: <path>: <message>` for each problem, so that nothing
 * the cluster would refuse (or silently change) is ever committed.
 * @example assertValid(renderAppObjects(spec, input, settings).map((m) => m.object))
 */
export function assertValid(objects: readonly object[], options: ValidateOptions = {}): void {
  const problems = validateObjects(objects, options);
  if (problems.length === 0) return;
  const listed = problems.slice(0, MAX_LISTED).map((p) => `  - ${formatProblem(p)}`);
  if (problems.length > MAX_LISTED) listed.push(`  … and ${problems.length - MAX_LISTED} more`);
  throw new InputError(`${problems.length} problem(s) in the rendered manifests:\n${listed.join('\n')}`, {
    hint: 'Check the render settings in slipway.yaml (namespace, gateway, gitops, flux, argocd). If they look right, report this: Slipway rendered something the cluster would refuse.',
  });
}

function objectProblems(object: Record<string, unknown>, crds: CrdSchemas): FieldProblem[] {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [{ path: '(object)', message: 'needs a string apiVersion and kind' }];
  }
  if (apiVersion.startsWith('kustomize.config.k8s.io/')) return kustomizeConfigProblems(object);
  const typed = { ...object, apiVersion, kind };
  const schema = crds.problems(typed) ?? builtinKindProblems(typed);
  if (schema === undefined) {
    return [{ path: '(object)', message: `no schema for ${apiVersion} ${kind} here; Slipway validates every kind it renders, so add its CRD to schemas/crds` }];
  }
  return [...metadataProblems(object), ...schema];
}

/**
 * kustomize's own `kustomization.yaml` is read by kustomize, not the API server, and has no published
 * schema here: its shape is checked (the fields Slipway writes).
 */
function kustomizeConfigProblems(object: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (object['apiVersion'] !== 'kustomize.config.k8s.io/v1beta1' || object['kind'] !== 'Kustomization') {
    problems.push({ path: 'apiVersion', message: 'a kustomization.yaml must be kustomize.config.k8s.io/v1beta1 Kustomization' });
  }
  const resources = object['resources'];
  if (resources === undefined) return problems;
  if (!Array.isArray(resources)) return [...problems, { path: 'resources', message: 'must be a list of paths' }];
  const seen = new Set<string>();
  resources.forEach((entry, i) => {
    if (typeof entry !== 'string' || entry.trim() === '') problems.push({ path: `resources[${i}]`, message: 'must be a non-empty path' });
    else if (seen.has(entry)) problems.push({ path: `resources[${i}]`, message: `lists ${entry} twice; kustomize refuses duplicate resources` });
    else seen.add(entry);
  });
  return problems;
}
