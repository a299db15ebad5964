import { z } from 'zod';

/** A DNS-1123 label: namespaces, section names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain: most object names. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * A host name whose labels may be Flux substitution variables, so `apps.${CLUSTER_DOMAIN}` and the
 * default `${APPS_SUBDOMAIN}` pass: Flux replaces them (postBuild) before the API server sees them.
 */
const DOMAIN_LABEL = String.raw`(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?|\$\{[A-Za-z_][A-Za-z0-9_]*\})`;
const APPS_DOMAIN = new RegExp(`^${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*$`);
/** A Go duration as Flux accepts it (`10m`, `1h30m`, `90s`). */
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
/** A relative POSIX path in the GitOps repo, such as `kubernetes/apps/dynamic`. */
const REPO_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const CPU_QUANTITY = /^[0-9]+(\.[0-9]+)?m?$/;
const MEMORY_QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

const name = (max: number) => z.string().max(max).regex(DNS_SUBDOMAIN, 'a lowercase DNS name such as my-name');

const ParentRef = z
  .object({
    name: name(253),
    namespace: z.string().max(63).regex(DNS_LABEL, 'a namespace: a DNS-1123 label').optional(),
    sectionName: z.string().max(253).regex(DNS_SUBDOMAIN, 'a listener name: a DNS-1123 subdomain').optional(),
  })
  .strict();

const SubstituteFrom = z
  .object({ kind: z.enum(['ConfigMap', 'Secret']), name: name(253), optional: z.boolean().optional() })
  .strict();

const Gitops = z
  .object({
    /** Directory in the GitOps repo holding one folder per app. */
    path: z
      .string()
      .regex(REPO_PATH, 'a relative path such as kubernetes/apps/dynamic')
      .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), "a path without '.' or '..' segments")
      .default('kubernetes/apps/dynamic'),
    sourceRef: z
      .object({ kind: z.literal('GitRepository'), name: name(253), namespace: z.string().regex(DNS_LABEL).max(63).optional() })
      .strict()
      .default(() => ({ kind: 'GitRepository' as const, name: 'flux-system', namespace: 'flux-system' })),
    /** Where Flux reads `${VAR}` values from (postBuild); `cluster-secrets` holds APPS_SUBDOMAIN in the seed layout. */
    substituteFrom: z.array(SubstituteFrom).default(() => [{ kind: 'Secret' as const, name: 'cluster-secrets' }]),
    interval: z.string().regex(GO_DURATION, 'a duration such as 10m').default('10m'),
    timeout: z.string().regex(GO_DURATION, 'a duration such as 5m').default('5m'),
  })
  .strict();

const Resources = z
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

/**
 * Cluster settings the renderers need. Every field has a default that matches the seed layout (Flux,
 * a Gateway named `gateway`, apps under `kubernetes/apps/dynamic`), so `{}` parses to a full value.
 * Nested objects use `prefault` so a partial object (say only `gitops.path`) still gets the other defaults.
 */
export const RenderSettingsSchema = z
  .object({
    /** Namespace the apps run in (Flux `targetNamespace`). */
    namespace: z.string().max(63).regex(DNS_LABEL, 'a namespace: a DNS-1123 label such as dynamic-apps').default('dynamic-apps'),
    /** Apps are served at `<app>.<appsDomain>`; the default is the Flux variable, substituted in the cluster. */
    appsDomain: z.string().max(200).regex(APPS_DOMAIN, 'a domain such as apps.example.com or ${APPS_SUBDOMAIN}').default('${APPS_SUBDOMAIN}'),
    gateway: z
      .object({ parentRefs: z.array(ParentRef).min(1).default(() => [{ name: 'gateway', namespace: 'gateway' }]) })
      .strict()
      .prefault({}),
    gitops: Gitops.prefault({}),
    /** Small defaults: the apps are tiny and the cluster may be a few Raspberry Pis. */
    resources: Resources.prefault({}),
  })
  .strict();

/** Validated settings, every field present. */
export type RenderSettings = z.output<typeof RenderSettingsSchema>;
/** What a person may write (everything optional). */
export type RenderSettingsInput = z.input<typeof RenderSettingsSchema>;

/**
 * The default settings, as a fresh object each call (callers may change their copy).
 * @example defaultRenderSettings().namespace // 'dynamic-apps'
 */
export function defaultRenderSettings(): RenderSettings {
  return RenderSettingsSchema.parse({});
}
