import { InputError } from '../../domain/errors.ts';
import { assertSafeRelativePath } from '../../domain/safe-path.ts';
import { BOOTSTRAP_HEADER, bootstrapParts, type BootstrapPart, type BootstrapSettings, type SecretEncryption, type SecretValues } from '../../render/bootstrap/index.ts';
import { podSecurityProblems } from '../../render/pod-security.ts';
import type { KubeObject, KustomizeConfig } from '../../render/types.ts';
import { formatProblem, validateObjects, type CrdSchemas, type ValidationProblem } from '../../render/validate/index.ts';
import { toYaml } from '../../render/yaml-writer.ts';
import { encryptSecretFiles, type SecretEncrypter } from './secret-files.ts';

/** One file of the bootstrap, at its path in the GitOps repo. */
export interface PlannedFile {
  path: string;
  content: string;
}

/** What a bootstrap writes: its files (kustomization.yaml last) and the lines to tell the person running it. */
export interface BootstrapPlan {
  files: PlannedFile[];
  notes: string[];
  /** The parts that added something, in order. */
  parts: string[];
}

export interface PlanOptions {
  how: SecretEncryption;
  encrypt: SecretEncrypter;
  /** The text of a file already at a path of the GitOps repo, if any (so an unchanged Secret keeps its bytes). */
  existing: (path: string) => string | undefined;
  crds?: CrdSchemas | undefined;
}

/** How many problems an error lists before it says how many more there are. */
const MAX_LISTED = 30;

/**
 * Runs every part, checks what they made — every object against its schema (the validator the app
 * manifests go through), every pod of a restricted namespace against the restricted Pod Security
 * Standard, every path — and turns it into files: the objects as YAML, each Secret encrypted, and the
 * folder's kustomization.yaml listing them all.
 * @example const plan = await planBootstrap(settings, values, { how, encrypt: encryptSecret, existing: () => undefined });
 * @throws InputError naming file, object and field of every problem; nothing is written then.
 */
export async function planBootstrap(settings: BootstrapSettings, values: SecretValues, options: PlanOptions): Promise<BootstrapPlan> {
  return planParts(bootstrapParts(settings, values), settings, options);
}

/**
 * The files of these parts (what `planBootstrap` does once the parts are made).
 * @example await planParts([namespacePart(settings)], settings, { how, encrypt, existing: () => undefined })
 */
export async function planParts(made: readonly BootstrapPart[], settings: BootstrapSettings, options: PlanOptions): Promise<BootstrapPlan> {
  const parts = made.filter((part) => part.files.length > 0 || part.secrets.length > 0);
  const entries = listedPaths(parts);
  const validate = (objects: readonly object[]) => validateObjects(objects, options.crds ? { crds: options.crds } : {});
  assertValidParts(parts, settings, validate);

  const files: PlannedFile[] = [];
  for (const part of parts) {
    for (const file of part.files) files.push({ path: `${settings.path}/${file.path}`, content: toYaml(file.objects, { header: BOOTSTRAP_HEADER }) });
    const secrets = part.secrets.map((secret) => ({ ...secret, path: `${settings.path}/${secret.path}` }));
    files.push(...(await encryptSecretFiles(secrets, options.how, options.encrypt, options.existing)));
  }
  const kustomization: KustomizeConfig = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: entries };
  assertNoProblems(validate([kustomization]).map((problem) => `kustomization.yaml: ${formatProblem(problem)}`));
  files.push({ path: `${settings.path}/kustomization.yaml`, content: toYaml(kustomization, { header: BOOTSTRAP_HEADER }) });
  return { files, notes: parts.flatMap((part) => part.notes ?? []), parts: parts.map((part) => part.name) };
}

/** Every file the parts write, relative to the bootstrap folder, in order; each path safe and used once. */
function listedPaths(parts: readonly BootstrapPart[]): string[] {
  const paths: string[] = [];
  const owner = new Map<string, string>();
  for (const part of parts) {
    for (const path of [...part.files.map((f) => f.path), ...part.secrets.map((s) => s.path)]) {
      assertSafeRelativePath(path);
      if (!path.endsWith('.yaml') || path === 'kustomization.yaml') throw new Error(`part ${part.name} writes ${path}: bootstrap files are .yaml files other than kustomization.yaml`);
      const other = owner.get(path);
      if (other !== undefined) throw new Error(`parts ${other} and ${part.name} both write ${path}`);
      owner.set(path, part.name);
      paths.push(path);
    }
  }
  return paths;
}

/**
 * Every object of every part against its schema, Secrets included (their values are not looked at),
 * and every pod template in a namespace the bootstrap makes restricted against that standard.
 */
function assertValidParts(parts: readonly BootstrapPart[], settings: BootstrapSettings, validate: (objects: readonly object[]) => ValidationProblem[]): void {
  const problems: string[] = [];
  const objects: Array<{ file: string; object: KubeObject }> = [];
  for (const part of parts) {
    for (const file of part.files) for (const object of file.objects) objects.push({ file: file.path, object });
    for (const { path, secret } of part.secrets) {
      const { stringData, ...metadata } = secret;
      // The schema sees the Secret's shape with placeholder values: a problem message never quotes a real one.
      const shape = Object.fromEntries(Object.keys(stringData).map((key) => [key, 'value']));
      objects.push({ file: path, object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: metadata.name, namespace: metadata.namespace, ...(metadata.labels ? { labels: metadata.labels } : {}), ...(metadata.annotations ? { annotations: metadata.annotations } : {}) }, ...(metadata.type ? { type: metadata.type } : {}), stringData: shape } });
    }
  }
  for (const { file, object } of objects) {
    for (const problem of validate([object])) problems.push(`${settings.path}/${file}: ${formatProblem(problem)}`);
  }
  const restricted = restrictedNamespaces(objects.map((o) => o.object));
  for (const { file, object } of objects) {
    const pod = podSpecOf(object);
    const namespace = object.metadata?.namespace;
    if (pod === undefined || namespace === undefined || !restricted.has(namespace)) continue;
    for (const problem of podSecurityProblems(pod)) problems.push(`${settings.path}/${file}: ${object.kind}/${object.metadata?.name ?? '(unnamed)'}: ${problem} (namespace ${namespace} enforces the restricted Pod Security Standard)`);
  }
  assertNoProblems(problems);
}

function assertNoProblems(problems: string[]): void {
  if (problems.length === 0) return;
  const listed = problems.slice(0, MAX_LISTED).map((p) => `  - ${p}`);
  if (problems.length > MAX_LISTED) listed.push(`  … and ${problems.length - MAX_LISTED} more`);
  throw new InputError(`${problems.length} problem(s) in the bootstrap manifests:\n${listed.join('\n')}`, {
    hint: 'Check the bootstrap:, render: and flux:/argocd: settings in slipway.yaml. If they look right, report this: Slipway rendered something the cluster would refuse.',
  });
}

/** The namespaces the bootstrap creates with `enforce: restricted`. */
function restrictedNamespaces(objects: readonly KubeObject[]): Set<string> {
  const names = objects
    .filter((o) => o.kind === 'Namespace' && o.metadata?.labels?.['pod-security.kubernetes.io/enforce'] === 'restricted')
    .map((o) => o.metadata!.name);
  return new Set(names);
}

/** The pod spec of a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod), if it is one. */
function podSpecOf(object: KubeObject): Record<string, unknown> | undefined {
  const spec = object['spec'] as Record<string, unknown> | undefined;
  if (spec === undefined) return undefined;
  if (object.kind === 'Pod') return spec;
  if (object.kind === 'CronJob') return dig(spec, ['jobTemplate', 'spec', 'template', 'spec']);
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(object.kind)) return dig(spec, ['template', 'spec']);
  return undefined;
}

function dig(value: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | undefined {
  let current: unknown = value;
  for (const key of path) current = (current as Record<string, unknown> | undefined)?.[key];
  return current !== null && typeof current === 'object' ? (current as Record<string, unknown>) : undefined;
}
