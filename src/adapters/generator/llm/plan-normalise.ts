/**
 * A model's plan as it often comes: env names as `api key` or `apiKey`, stray spaces, a feature
 * twice, `get` for GET. What has one obvious meaning is put right before the plan is checked, so a
 * small slip does not cost a correction round (or the run); what has none is left for the schema
 * to refuse with its reason.
 */

/** The env-var name a model meant: `api key`, `apiKey`, `api-key` → `API_KEY`; unchanged when there is none. */
export function normaliseEnvName(name: string): string {
  const words = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const candidate = words.join('_').toUpperCase();
  return /^[A-Z][A-Z0-9_]*$/.test(candidate) ? candidate : name;
}

/** The plan with what can be normalised normalised; anything that is not a plan-shaped object is returned as it is. */
export function normaliseModelPlan(answer: unknown): unknown {
  if (!isRecord(answer)) return answer;
  const plan: Record<string, unknown> = { ...answer };
  for (const key of ['name', 'title', 'summary', 'template'] as const) plan[key] = trimmed(plan[key]);
  if (typeof plan.runtime === 'string') plan.runtime = plan.runtime.trim().toLowerCase();
  if (Array.isArray(plan.features)) plan.features = unique(plan.features.map(trimmed).filter((f) => f !== ''), (f) => (typeof f === 'string' ? f.toLowerCase() : f));
  if (Array.isArray(plan.pages)) {
    plan.pages = unique(plan.pages.map((p) => (isRecord(p) ? { ...p, path: trimmed(p.path), purpose: trimmed(p.purpose) } : p)), (p) => (isRecord(p) ? p.path : p));
  }
  if (Array.isArray(plan.apiRoutes)) {
    plan.apiRoutes = unique(
      plan.apiRoutes.map((r) => (isRecord(r) ? { ...r, method: typeof r.method === 'string' ? r.method.trim().toUpperCase() : r.method, path: trimmed(r.path), purpose: trimmed(r.purpose) } : r)),
      (r) => (isRecord(r) ? `${String(r.method)} ${String(r.path)}` : r),
    );
  }
  // Plans from before `needs` listed plain settings as `env`, with a `purpose`.
  if (plan.needs === undefined && Array.isArray(plan.env)) {
    plan.needs = { settings: plan.env.map((e) => (isRecord(e) ? { name: e.name, description: e.purpose, default: e.default } : e)) };
  }
  delete plan.env;
  if (isRecord(plan.needs)) plan.needs = normaliseNeeds(plan.needs);
  if (typeof plan.port === 'string' && /^\s*\d+\s*$/.test(plan.port)) plan.port = Number(plan.port);
  return plan;
}

/** Names of settings and secrets as env names, each named once; `none` as no database. */
function normaliseNeeds(source: Record<string, unknown>): Record<string, unknown> {
  const needs: Record<string, unknown> = { ...source };
  for (const key of ['settings', 'secrets'] as const) {
    const list = needs[key];
    if (!Array.isArray(list)) continue;
    needs[key] = unique(
      list.map((e) => (isRecord(e) ? { ...e, name: typeof e.name === 'string' ? normaliseEnvName(e.name) : e.name, description: trimmed(e.description), ...('default' in e ? { default: trimmed(e.default) } : {}) } : e)),
      (e) => (isRecord(e) ? e.name : e),
    );
  }
  if (Array.isArray(needs.externals)) needs.externals = unique(needs.externals.map((x) => (typeof x === 'string' ? x.trim().toLowerCase() : x)), (x) => x);
  return needs;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function trimmed(value: unknown): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

/** The first of each group of entries with the same key, in order. */
function unique<T>(items: T[], key: (item: T) => unknown): T[] {
  const seen = new Set<unknown>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
