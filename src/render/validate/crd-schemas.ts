import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { ConfigError } from '../../domain/errors.ts';
import type { FieldProblem } from './problem.ts';
import { loadValidator, ValidatorCache, validatorCode, validatorCompiler, validatorDigest } from './compiled-validator.ts';
import { jsPatterns } from './go-patterns.ts';
import { closeObjects } from './kubernetes-keywords.ts';
import { schemaErrorsToProblems } from './schema-errors.ts';

/** The repo's copy of the upstream CRDs (see schemas/README.md for where each comes from). */
export const CRD_DIR = fileURLToPath(new URL('../../../schemas/crds/', import.meta.url));

/** `<group>/<Kind>` → the CRD file that defines it. */
export const CRD_FILES: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/Kustomization': 'kustomizations.yaml',
  'image.toolkit.fluxcd.io/ImageRepository': 'imagerepositories.yaml',
  'image.toolkit.fluxcd.io/ImagePolicy': 'imagepolicies.yaml',
  'notification.toolkit.fluxcd.io/Receiver': 'receivers.yaml',
  'gateway.networking.k8s.io/HTTPRoute': 'httproutes.yaml',
  'argoproj.io/Application': 'argocd-applications.yaml',
  'postgresql.cnpg.io/Cluster': 'cnpg-clusters.yaml',
  'external-secrets.io/ClusterSecretStore': 'clustersecretstores.yaml',
  'external-secrets.io/ExternalSecret': 'externalsecrets.yaml',
  'monitoring.coreos.com/PodMonitor': 'podmonitors.yaml',
  'monitoring.coreos.com/PrometheusRule': 'prometheusrules.yaml',
  'bitnami.com/SealedSecret': 'sealedsecrets.yaml',
  'monitoring.coreos.com/ServiceMonitor': 'servicemonitors.yaml',
  // Slipway's own subset from Cilium's documentation (see the file's comment): Cilium publishes its CRDs generated at install time.
  'cilium.io/CiliumNetworkPolicy': 'ciliumnetworkpolicies.yaml',
};

export interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}

/**
 * Validates custom resources against the `openAPIV3Schema` of the CRD version their `apiVersion`
 * names, which must be served. Nothing is read or compiled until an object of a kind needs it; then
 * each version is compiled once per process, or, given a cache directory, once per schema: the
 * compiled code is kept there (see compiled-validator.ts) and a later process only loads it.
 * @example new CrdSchemas({ cacheDir: join(cache, 'validators') }).problems({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'a' }, spec: {} })
 * // [{ path: 'spec.interval', message: 'is required' }, …]
 */
export class CrdSchemas {
  private readonly dir: string;
  private readonly cache: ValidatorCache | undefined;
  private ajv: Ajv | undefined;
  private readonly texts = new Map<string, string>();
  private readonly files = new Map<string, CrdVersion[]>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(options: { dir?: string; cacheDir?: string } = {}) {
    this.dir = options.dir ?? CRD_DIR;
    this.cache = options.cacheDir === undefined ? undefined : new ValidatorCache(options.cacheDir);
  }

  /**
   * Whether a CRD here defines the kind.
   * @example new CrdSchemas().knows('argoproj.io/v1alpha1', 'Application') // true
   */
  knows(apiVersion: string, kind: string): boolean {
    return CRD_FILES[`${groupOf(apiVersion)}/${kind}`] !== undefined;
  }

  /** The object's problems, or undefined when no CRD here defines its kind. */
  problems(object: { apiVersion: string; kind: string }): FieldProblem[] | undefined {
    const { apiVersion, kind } = object;
    const file = CRD_FILES[`${groupOf(apiVersion)}/${kind}`];
    if (file === undefined) return undefined;
    const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
    const key = `${apiVersion}/${kind}`;
    let validate = this.validators.get(key);
    if (validate === undefined) {
      validate = this.validator(file, version);
      if (validate === undefined) {
        const served = this.load(file).filter((v) => v.served).map((v) => `${groupOf(apiVersion)}/${v.name}`);
        return [{ path: 'apiVersion', message: `${apiVersion} is not served for ${kind}; use ${served.join(' or ')}` }];
      }
      this.validators.set(key, validate);
    }
    return validate(object) ? [] : schemaErrorsToProblems(validate.errors ?? [], kind);
  }

  /** The validator of a served version: from the cache when it holds one, else compiled (and cached). */
  private validator(file: string, version: string): ValidateFunction | undefined {
    const digest = this.cache ? validatorDigest(this.read(file), version) : undefined;
    const cached = digest === undefined ? undefined : this.cache?.read(digest);
    if (cached) return cached;
    const match = this.load(file).find((v) => v.name === version && v.served);
    if (match === undefined) return undefined;
    const code = validatorCode((this.ajv ??= validatorCompiler()), validationSchema(match, file));
    if (digest !== undefined) this.cache?.write(digest, code);
    return loadValidator(code);
  }

  private read(file: string): string {
    const cached = this.texts.get(file);
    if (cached !== undefined) return cached;
    const path = join(this.dir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw unreadable(path, error);
    }
    this.texts.set(file, text);
    return text;
  }

  private load(file: string): CrdVersion[] {
    const cached = this.files.get(file);
    if (cached) return cached;
    const path = join(this.dir, file);
    let crd: { kind?: unknown; spec?: { versions?: CrdVersion[] } };
    try {
      crd = parse(this.read(file)) as typeof crd;
    } catch (error) {
      throw error instanceof ConfigError ? error : unreadable(path, error);
    }
    const versions = crd?.kind === 'CustomResourceDefinition' ? crd.spec?.versions : undefined;
    if (!Array.isArray(versions)) throw new ConfigError(`${path} is not a CustomResourceDefinition with spec.versions`);
    this.files.set(file, versions);
    return versions;
  }
}

/**
 * What a CRD version is validated against: its schema with every listed-properties object closed
 * (see `closeObjects`) and `status` left open.
 */
export function validationSchema(version: CrdVersion, file: string): Record<string, unknown> {
  const source = version.schema?.openAPIV3Schema;
  if (source === undefined) throw new ConfigError(`${file} version ${version.name} has no openAPIV3Schema`);
  const schema = structuredClone(source);
  const properties = schema['properties'] as Record<string, unknown> | undefined;
  // Renderers never write status, and the Argo CD status schema alone is most of the compile time.
  if (properties?.['status'] !== undefined) properties['status'] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  closeObjects(schema);
  jsPatterns(schema);
  return schema;
}

function unreadable(path: string, error: unknown): ConfigError {
  return new ConfigError(`cannot read the CRD schema ${path}: ${(error as Error).message}`, {
    hint: 'Reinstall Slipway: the schemas/crds directory ships with it.',
  });
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
