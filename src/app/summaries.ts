/** One-line summaries of step outputs for the progress display. */
export function summarizeStep(stepId: string, output: unknown): string | undefined {
  const o = output as Record<string, any>;
  switch (stepId) {
    case 'app:plan':
      if (o.score === null) return `template ${o.template} (chosen with --template)`;
      if (o.score === 0) return `template ${o.template} (${o.explanation ?? 'no keyword matched'})`;
      return `template ${o.template} (score ${o.score}: ${o.matched.join(', ')})`;
    case 'source:generate':
      return `${o.files?.length ?? 0} files`;
    case 'source:verify': {
      const attempts = o.attempts as Array<{ ok: boolean; checks: unknown[] }>;
      return attempts.length === 1 ? `passed ${attempts[0]!.checks.length} checks` : `passed on attempt ${attempts.length}`;
    }
    case 'source:provenance':
      return 'SLIPWAY.md';
    case 'source:commit':
    case 'manifests:commit':
    case 'source:remove':
    case 'manifests:remove':
      return `${String(o.sha).slice(0, 12)}${o.created ? '' : ' (already there)'}`;
    case 'image:build':
      return `${String(o.digest).slice(0, 19)} (${o.bytesUploaded} bytes uploaded, ${o.blobsSkipped} blobs skipped)`;
    case 'manifests:render':
      return `${o.files?.length ?? 0} manifests`;
    case 'gitops:sync':
      return `${o.method} answered ${o.status}`;
    case 'cluster:await':
      return (o.stages as Array<{ stage: string; durationMs: number }>).map((st) => `${st.stage} ${(st.durationMs / 1000).toFixed(1)}s`).join(', ');
    case 'app:deploy':
      return o.note ? `${o.url} (${o.runtime}: ${o.note})` : o.url;
    case 'app:await':
      return `${o.status} after ${o.waitedMs} ms`;
    default:
      return undefined;
  }
}
