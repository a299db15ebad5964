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
