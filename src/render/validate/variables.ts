/** What every Flux variable stands for while an object is validated. */
export const SAMPLE_VALUE = 'example.org';

/**
 * A Flux postBuild variable: `${NAME}`, or with a default/operator such as `${NAME:=value}`. An
 * escaped `$${NAME}` is not one (Flux turns it into the literal text `${NAME}`), so it is left alone.
 */
const VARIABLE = /(?<!\$)\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:=+?-][^}]*)?\}/g;

/**
 * A deep copy of `value` with every Flux variable in its strings replaced by `example.org`.
 *
 * Why: manifests keep `${APPS_SUBDOMAIN}`-style variables that Flux's kustomize-controller replaces
 * (postBuild.substituteFrom) before anything reaches the API server. The upstream schemas describe
 * the object the API server receives, so `notes.${APPS_SUBDOMAIN}` would fail the HTTPRoute hostname
 * pattern although the cluster never sees it. Validating a copy with a sample host name checks what
 * Flux will send, as far as it can be known here; the real value is the cluster's business. The
 * sample is a host name because host names and registry hosts are where the variables are used.
 * @example withSampleValues({ hostnames: ['notes.${APPS_SUBDOMAIN}'] }) // { hostnames: ['notes.example.org'] }
 */
export function withSampleValues<T>(value: T): T {
  if (typeof value === 'string') return value.replace(VARIABLE, SAMPLE_VALUE) as T;
  if (Array.isArray(value)) return value.map((item) => withSampleValues(item)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = withSampleValues(item);
    return out as T;
  }
  return value;
}

/**
 * Whether a string holds a Flux variable.
 * @example hasVariable('apps.${CLUSTER_DOMAIN}') // true
 */
export function hasVariable(text: string): boolean {
  return new RegExp(VARIABLE.source).test(text);
}
