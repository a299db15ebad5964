/** One-line summaries of step outputs for the progress display. */
export function summarizeStep(stepId: string, output: unknown): string | undefined {
  const o = output as Record<string, any>;
  switch (stepId) {
    case 'app:plan':
      return `template ${o.template} (${whoChose(o)})`;
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
    case 'image:forget':
      return o.tags.length > 0 ? `untagged ${o.tags.join(', ')}` : 'no image was kept';
    case 'manifests:render':
      return `${o.files?.length ?? 0} manifests`;
    case 'gitops:sync':
      return `${o.method} answered ${o.status}`;
    case 'cluster:await':
      return (o.stages as Array<{ stage: string; durationMs: number }>).map((st) => `${st.stage} ${(st.durationMs / 1000).toFixed(1)}s`).join(', ');
    case 'app:deploy':
      return [o.url, ...(o.note ? [`(${o.runtime}: ${o.note})`] : []), ...(o.stoppedUnder ? [`(the instance ${o.stoppedUnder} started was stopped)`] : [])].join(' ');
    case 'app:await':
      return `${o.status} after ${o.waitedMs} ms`;
    default:
      return undefined;
  }
}

/** Who chose the planned template, in words: the --template flag, the offline scorer and its score, or the model. */
function whoChose(plan: Record<string, any>): string {
  const chosenBy = plan.chosenBy ?? (plan.score === null ? (plan.source === 'llm' ? 'model' : 'flag') : 'scorer');
  if (chosenBy === 'flag') return 'chosen with --template';
  if (chosenBy === 'model') return `chosen by the model${plan.params?.plannerModel ? ` ${plan.params.plannerModel}` : ''}`;
  if (plan.score === 0) return `chosen by the offline scorer, score 0: ${plan.explanation ?? 'no keyword matched'}`;
  return `chosen by the offline scorer, score ${plan.score}: ${plan.matched.join(', ')}`;
}
