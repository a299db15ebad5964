/** Trailers every Slipway commit carries, so `git log` tells which app and run made it. */
export function slipwayTrailers(app: string, runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'Slipway-App': app, 'Slipway-Run': runId, ...extra };
}

/** A run commits at most once per repo and action: these trailers identify that commit on resume. */
export const IDEMPOTENCY_TRAILERS = ['Slipway-App', 'Slipway-Run', 'Slipway-Action'];

/** First line of a description, trimmed for a commit subject. */
export function subjectText(description: string, max = 60): string {
  return description.length > max ? `${description.slice(0, max - 1)}…` : description;
}

/**
 * What a manifests commit says about the version it ships, so the GitOps history alone tells every
 * version of an app (see src/app/versions.ts): `Slipway-Version`, `Slipway-Env` and `Slipway-Image`
 * (the pinned `<repo>/<app>:<tag>@sha256:…`).
 * @example versionTrailers({ version: 'v1.1.0', env: 'prod', image: 'registry/app:v1.1.0-a3f5c2b-prod@sha256:…' })
 */
export function versionTrailers(shipped: { version: string; env: string; image: string }): Record<string, string> {
  return { 'Slipway-Version': shipped.version, 'Slipway-Env': shipped.env, 'Slipway-Image': shipped.image };
}

/** The `Slipway-Action` of a manifests commit for each run kind that commits manifests; a create's stays `deploy`, a configure's ships no new version. */
export const MANIFESTS_ACTIONS = { create: 'deploy', change: 'change', rollback: 'rollback', promote: 'promote', configure: 'configure' } as const;
