/**
 * The shapes the renderers produce: only the Kubernetes fields Slipway writes, as plain data
 * (cdk8s style). They are serialised by `toYaml` at the very end.
 */

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

/** Any object with a type header; what `toYaml` accepts. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** Inputs beside the spec: the image to run and labels a caller adds (e.g. a team or a run id). */
export interface RenderInput {
  /** A full image reference: `registry/repo:tag`, `registry/repo@sha256:…` or `repo:tag@sha256:…`. */
  image: string;
  /** Extra labels on every object and pod; Slipway's own `app.kubernetes.io/*` labels win on conflict. */
  labels?: Labels;
}

/** One file for the GitOps repo: a path relative to the repo root and its text. */
export interface RenderedFile {
  path: string;
  content: string;
}

/** A comment written at the end of one line: the line of the scalar at `path` in the object. */
export interface LineComment {
  /** Keys and list indices from the object's root to a scalar, e.g. `['spec', 'template', 'spec', 'containers', 0, 'image']`. */
  path: ReadonlyArray<string | number>;
  /** One line of text, without the leading `#`. */
  text: string;
}

/** One rendered object and the file it goes to, before it is written as YAML. */
export interface RenderedManifest {
  path: string;
  object: KubeObject;
  /** Comments tools read from the file (Flux's image setter marker). */
  lineComments?: LineComment[];
}

export interface HttpGetProbe {
  httpGet: { path: string; port: string };
  initialDelaySeconds?: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop: string[] };
  seccompProfile?: { type: 'RuntimeDefault' | 'Localhost' };
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: 'IfNotPresent' | 'Always';
  ports: Array<{ name: string; containerPort: number; protocol: 'TCP' }>;
  env: Array<{ name: string; value: string }>;
  startupProbe: HttpGetProbe;
  readinessProbe: HttpGetProbe;
  livenessProbe: HttpGetProbe;
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  securityContext: SecurityContext;
  volumeMounts: Array<{ name: string; mountPath: string }>;
}

export interface PodSpec {
  automountServiceAccountToken: boolean;
  enableServiceLinks: boolean;
  securityContext: SecurityContext & { fsGroup?: number };
  containers: Container[];
  volumes: Array<{ name: string; emptyDir: Record<string, never> }>;
}

export interface Deployment extends KubeObject {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: {
    replicas: number;
    revisionHistoryLimit: number;
    selector: { matchLabels: Labels };
    template: { metadata: { labels: Labels; annotations?: Record<string, string> }; spec: PodSpec };
  };
}

export interface Service extends KubeObject {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type: 'ClusterIP';
    selector: Labels;
    ports: Array<{ name: string; port: number; targetPort: string; protocol: 'TCP' }>;
  };
}

export interface HttpRoute extends KubeObject {
  apiVersion: 'gateway.networking.k8s.io/v1';
  kind: 'HTTPRoute';
  metadata: ObjectMeta;
  spec: {
    parentRefs: Array<{ name: string; namespace?: string; sectionName?: string }>;
    hostnames: string[];
    rules: Array<{
      matches: Array<{ path: { type: 'PathPrefix'; value: string } }>;
      backendRefs: Array<{ name: string; port: number }>;
    }>;
  };
}

/** `kustomize.config.k8s.io` Kustomization: the `kustomization.yaml` in a directory. */
export interface KustomizeConfig extends KubeObject {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  resources: string[];
}

/** Flux's `kustomize.toolkit.fluxcd.io` Kustomization: what makes Flux apply a directory. */
export interface FluxKustomization extends KubeObject {
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1';
  kind: 'Kustomization';
  metadata: ObjectMeta;
  spec: {
    interval: string;
    timeout: string;
    path: string;
    prune: boolean;
    wait: boolean;
    targetNamespace: string;
    sourceRef: { kind: 'GitRepository'; name: string; namespace?: string };
    postBuild?: { substituteFrom: Array<{ kind: 'ConfigMap' | 'Secret'; name: string; optional?: boolean }> };
    dependsOn?: Array<{ name: string; namespace?: string }>;
  };
}

export interface NetworkPolicy extends KubeObject {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: ObjectMeta;
  spec: {
    podSelector: { matchLabels: Labels };
    policyTypes: Array<'Ingress' | 'Egress'>;
    ingress: Array<{
      from: Array<{ namespaceSelector: { matchLabels: Labels } }>;
      ports: Array<{ protocol: 'TCP'; port: number }>;
    }>;
  };
}

/** Flux's ImageRepository: scans a registry repository for tags. */
export interface ImageRepository extends KubeObject {
  apiVersion: 'image.toolkit.fluxcd.io/v1';
  kind: 'ImageRepository';
  metadata: ObjectMeta;
  spec: { image: string; interval: string; secretRef?: { name: string }; insecure?: boolean };
}

/** Flux's ImagePolicy: picks the newest tag of an ImageRepository. */
export interface ImagePolicy extends KubeObject {
  apiVersion: 'image.toolkit.fluxcd.io/v1';
  kind: 'ImagePolicy';
  metadata: ObjectMeta;
  spec: {
    imageRepositoryRef: { name: string };
    filterTags?: { pattern: string; extract?: string };
    policy: { semver: { range: string } } | { alphabetical: { order: 'asc' | 'desc' } } | { numerical: { order: 'asc' | 'desc' } };
    digestReflectionPolicy: 'Always' | 'IfNotPresent' | 'Never';
    interval?: string;
  };
}

/** Argo CD's Application: syncs one directory of a Git repo into one namespace. */
export interface ArgoApplication extends KubeObject {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Application';
  metadata: ObjectMeta;
  spec: {
    project: string;
    source: { repoURL: string; targetRevision: string; path: string };
    destination: { server: string; namespace: string };
    syncPolicy: { automated: { prune: boolean; selfHeal: boolean } };
  };
}
