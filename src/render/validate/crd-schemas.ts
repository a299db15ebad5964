import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { ConfigError } from '../../domain/errors.ts';
import type { FieldProblem } from './problem.ts';
import { closeObjects, kubernetesFormats, kubernetesKeywords } from './kubernetes-keywords.ts';
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
};

interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
}

const require = createRequire(import.meta.url);

/**
 * Validates custom resources against the `openAPIV3Schema` of the CRD version their `apiVersion`
 * names, which must be served. Nothing is read or compiled until an object of a kind needs it; then
 * the file is parsed once and each version compiled once (the Argo CD CRD takes about half a second).
 * @example new CrdSchemas().problems({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'a' }, spec: {} })
 * // [{ path: 'spec.interval', message: 'is required' }, …]
 */
export class CrdSchemas {
  private readonly dir: string;
  private ajv: Ajv | undefined;
  private readonly files = new Map<string, CrdVersion[]>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(options: { dir?: string } = {}) {
    this.dir = options.dir ?? CRD_DIR;
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
      const versions = this.load(file);
      const match = versions.find((v) => v.name === version && v.served);
      if (match === undefined) {
        const served = versions.filter((v) => v.served).map((v) => `${groupOf(apiVersion)}/${v.name}`);
        return [{ path: 'apiVersion', message: `${apiVersion} is not served for ${kind}; use ${served.join(' or ')}` }];
      }
      validate = this.compile(match, file);
      this.validators.set(key, validate);
    }
    return validate(object) ? [] : schemaErrorsToProblems(validate.errors ?? [], kind);
  }

  private load(file: string): CrdVersion[] {
    const cached = this.files.get(file);
    if (cached) return cached;
    const path = join(this.dir, file);
    let crd: { kind?: unknown; spec?: { versions?: CrdVersion[] } };
    try {
      crd = parse(readFileSync(path, 'utf8')) as typeof crd;
    } catch (error) {
      throw new ConfigError(`cannot read the CRD schema ${path}: ${(error as Error).message}`, {
        hint: 'Reinstall Slipway: the schemas/crds directory ships with it.',
      });
    }
    const versions = crd?.kind === 'CustomResourceDefinition' ? crd.spec?.versions : undefined;
    if (!Array.isArray(versions)) throw new ConfigError(`${path} is not a CustomResourceDefinition with spec.versions`);
    this.files.set(file, versions);
    return versions;
  }

  private compile(version: CrdVersion, file: string): ValidateFunction {
    const source = version.schema?.openAPIV3Schema;
    if (source === undefined) throw new ConfigError(`${file} version ${version.name} has no openAPIV3Schema`);
    const schema = structuredClone(source);
    const properties = schema['properties'] as Record<string, unknown> | undefined;
    // Renderers never write status, and the Argo CD status schema alone is most of the compile time.
    if (properties?.['status'] !== undefined) properties['status'] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    closeObjects(schema);
    return this.compiler().compile(schema);
  }

  private compiler(): Ajv {
    if (this.ajv === undefined) {
      // Loaded on first use, so importing the renderers never loads the validator.
      const { Ajv: AjvClass } = require('ajv') as { Ajv: typeof Ajv };
      this.ajv = new AjvClass({
        allErrors: true,
        verbose: true,
        // Strict: a keyword nobody defined is an error at compile time, so a new extension is noticed.
        strict: true,
        strictTypes: false,
        strictTuples: false,
        strictRequired: false,
        formats: kubernetesFormats(),
        keywords: kubernetesKeywords(),
      });
    }
    return this.ajv;
  }
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
