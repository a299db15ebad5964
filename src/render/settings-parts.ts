import { z } from 'zod';

/** A DNS-1123 label: namespaces, section names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain: most object names. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * A host name whose labels may be Flux substitution variables, so `apps.${CLUSTER_DOMAIN}` and the
 * default `${APPS_SUBDOMAIN}` pass: Flux replaces them (postBuild) before the API server sees them.
 */
const DOMAIN_LABEL = String.raw`(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?|\$\{[A-Za-z_][A-Za-z0-9_]*\})`;
export const APPS_DOMAIN = new RegExp(`^${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*$`);
/** A Go duration as Flux accepts it (`10m`, `1h30m`, `90s`). */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
/** A relative POSIX path in the GitOps repo, such as `kubernetes/apps/dynamic`. */
const REPO_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const CPU_QUANTITY = /^[0-9]+(\.[0-9]+)?m?$/;
const MEMORY_QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
/** A Git remote Argo CD can clone: https/ssh/git URLs or scp-like `git@host:owner/repo.git`. */
export const GIT_REMOTE_URL = /^(?:(?:https?|ssh|git):\/\/[^\s/]+(?:\/\S*)?|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/;

const name = (max: number) => z.string().max(max).regex(DNS_SUBDOMAIN, 'a lowercase DNS name such as my-name');
const namespace = () => z.string().max(63).regex(DNS_LABEL, 'a namespace: a DNS-1123 label');
const duration = (example: string) => z.string().regex(GO_DURATION, `a duration such as ${example}`);

export const ParentRef = z
  .object({
    name: name(253),
    namespace: namespace().optional(),
    sectionName: z.string().max(253).regex(DNS_SUBDOMAIN, 'a listener name: a DNS-1123 subdomain').optional(),
  })
  .strict();

export const Gateway = z
  .object({
    parentRefs: z
      .array(ParentRef)
      .min(1)
      // The HTTPRoute CRD refuses a parentRef listed twice (a CEL rule the validator cannot run).
      .refine((refs) => new Set(refs.map((r) => `${r.name}/${r.namespace ?? ''}/${r.sectionName ?? ''}`)).size === refs.length, 'each parentRef at most once')
      .default(() => [{ name: 'gateway', namespace: 'gateway' }]),
  })
  .strict();

const SubstituteFrom = z
  .object({ kind: z.enum(['ConfigMap', 'Secret']), name: name(253), optional: z.boolean().optional() })
  .strict();

/** A Flux Kustomization each app's waits for, such as the one installing the Gateway API CRDs. */
const DependsOn = z.object({ name: name(253), namespace: namespace().optional() }).strict();

export const Gitops = z
  .object({
    /** Directory in the GitOps repo holding one folder per app. */
    path: z
      .string()
      .regex(REPO_PATH, 'a relative path such as kubernetes/apps/dynamic')
      .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), "a path without '.' or '..' segments")
      .default('kubernetes/apps/dynamic'),
    sourceRef: z
      .object({ kind: z.literal('GitRepository'), name: name(253), namespace: namespace().optional() })
      .strict()
      .default(() => ({ kind: 'GitRepository' as const, name: 'flux-system', namespace: 'flux-system' })),
    /** Where Flux reads `${VAR}` values from (postBuild); `cluster-secrets` holds APPS_SUBDOMAIN in the seed layout. */
    substituteFrom: z.array(SubstituteFrom).default(() => [{ kind: 'Secret' as const, name: 'cluster-secrets' }]),
    /** Flux Kustomizations (in flux-system unless a namespace is given) applied before each app's. */
    dependsOn: z.array(DependsOn).default(() => []),
    interval: duration('10m').default('10m'),
    timeout: duration('5m').default('5m'),
  })
  .strict();

export const Resources = z
  .object({
    requests: z
      .object({
        cpu: z.string().regex(CPU_QUANTITY, 'a CPU quantity such as 10m').default('10m'),
        memory: z.string().regex(MEMORY_QUANTITY, 'a memory quantity such as 64Mi').default('64Mi'),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({ memory: z.string().regex(MEMORY_QUANTITY, 'a memory quantity such as 256Mi').default('256Mi') })
      .strict()
      .prefault({}),
  })
  .strict();

const Order = z.enum(['asc', 'desc']);

/** How Flux picks the newest tag: exactly one of a semver range, alphabetical or numerical order. */
export const ImagePolicyChoice = z.union([
  z.object({ semver: z.string().min(1).max(200) }).strict(),
  z.object({ alphabetical: Order }).strict(),
  z.object({ numerical: Order }).strict(),
]);

/**
 * Flux image automation for each app (off by default): an ImageRepository scanning the app's image,
 * an ImagePolicy choosing the newest tag, and the setter marker on the Deployment's image line so
 * an ImageUpdateAutomation (one per namespace, set up with the cluster) commits new tags.
 */
export const ImageAutomation = z
  .object({
    enabled: z.boolean().default(false),
    /** How often the registry is scanned for new tags. */
    interval: duration('5m').default('5m'),
    policy: ImagePolicyChoice.default(() => ({ semver: '>=0.0.0' })),
    /** Tags to consider, as a Go regular expression, and the capture group to sort by (e.g. `$version`). */
    filterTags: z.object({ pattern: z.string().min(1).max(500), extract: z.string().min(1).max(100).optional() }).strict().optional(),
    /** A docker-registry Secret (in the apps namespace) with the registry login. */
    secretRef: name(253).optional(),
    /** The registry speaks plain HTTP (a LAN registry without TLS). */
    insecure: z.boolean().optional(),
  })
  .strict();

export const Flux = z.object({ imageAutomation: ImageAutomation.prefault({}) }).strict();

export const ArgoCd = z
  .object({
    /** Where Argo CD runs and looks for Applications. */
    namespace: namespace().default('argocd'),
    project: name(253).default('default'),
    /** The GitOps repo as Argo CD clones it; defaults to git.gitops.url when that is a remote URL. */
    repoURL: z.string().max(2048).regex(GIT_REMOTE_URL, 'a Git URL Argo CD can clone, such as https://git.example.com/homelab.git').optional(),
    targetRevision: z.string().min(1).max(255).regex(/^\S+$/, 'a branch, tag or commit without spaces').default('main'),
    /** `per-app`: one Application per app; `app-of-apps`: also a parent Application that holds them. */
    mode: z.enum(['per-app', 'app-of-apps']).default('per-app'),
    appOfAppsName: name(253).default('slipway-apps'),
    destinationServer: z.string().max(2048).regex(/^https:\/\/\S+$/, 'an https:// API server URL').default('https://kubernetes.default.svc'),
    syncPolicy: z
      .object({
        automated: z.object({ prune: z.boolean().default(true), selfHeal: z.boolean().default(true) }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/**
 * The CloudNativePG `Cluster` of an app that needs a database: one instance on a small volume with
 * requests a Raspberry Pi can give (PostgreSQL's own defaults fit in this memory for a few
 * connections). `imageName` pins the PostgreSQL image; without it the operator picks its default.
 */
export const DatabaseSettings = z
  .object({
    storage: z.string().regex(MEMORY_QUANTITY, 'a size such as 1Gi').default('1Gi'),
    /** A StorageClass by name; without it the cluster's default class provides the volume. */
    storageClass: name(253).optional(),
    imageName: z
      .string()
      .max(1024)
      .regex(/^[^\s@]+(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$/, 'an image reference such as ghcr.io/cloudnative-pg/postgresql:17.5@sha256:<digest>')
      .optional(),
    resources: z
      .object({
        requests: z
          .object({
            cpu: z.string().regex(CPU_QUANTITY, 'a CPU quantity such as 50m').default('50m'),
            memory: z.string().regex(MEMORY_QUANTITY, 'a memory quantity such as 128Mi').default('128Mi'),
          })
          .strict()
          .prefault({}),
        limits: z
          .object({ memory: z.string().regex(MEMORY_QUANTITY, 'a memory quantity such as 512Mi').default('512Mi') })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();
