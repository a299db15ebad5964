import type { AppStatus, AppView, RunReport } from '../app/slipway-service.ts';
import type { Run } from '../domain/index.ts';

/**
 * Service objects as the API shows them: `app` and `runId` for the names, and nothing internal
 * (runtime handles, the stored request).
 */

export function runAccepted(run: Run) {
  return { runId: run.id, app: run.app, kind: run.kind, status: run.status };
}

export function runSummary(run: Run) {
  return {
    runId: run.id, app: run.app, kind: run.kind, status: run.status, createdAt: run.createdAt, updatedAt: run.updatedAt,
    ...(run.endedAt ? { endedAt: run.endedAt } : {}),
    ...(run.error ? { error: run.error } : {}),
    timeline: run.timeline, events: run.events,
  };
}

export function runDetail(report: RunReport) {
  return {
    runId: report.runId, app: report.app, kind: report.kind, status: report.status,
    createdAt: report.createdAt, updatedAt: report.updatedAt,
    ...(report.endedAt ? { endedAt: report.endedAt } : {}),
    ...(report.error ? { error: report.error } : {}),
    timeline: report.timeline, events: report.events,
    ...(report.url ? { url: report.url } : {}),
    ...(report.template ? { template: report.template } : {}),
    ...(report.version ? { version: report.version } : {}),
    ...(report.diff ? { diff: report.diff } : {}),
    commits: report.commits,
    outputs: report.outputs,
    ...(report.next ? { next: report.next } : {}),
    ...(report.needs ? { needs: report.needs } : {}),
    ...(report.nextSteps ? { nextSteps: report.nextSteps } : {}),
    ...(report.notifications ? { notifications: report.notifications } : {}),
    ...(report.rollback ? { rollback: report.rollback } : {}),
    ...(report.rolledBackBy ? { rolledBackBy: report.rolledBackBy } : {}),
  };
}

export function appView(view: AppView) {
  return {
    app: view.name, state: view.state, url: view.url ?? null, description: view.description, template: view.template,
    ...(view.generator ? { generator: view.generator } : {}),
    target: view.target, commits: view.commits,
    ...(view.version ? { version: view.version } : {}),
    ...(view.env ? { env: view.env } : {}),
    ...(view.access ? { access: view.access } : {}),
    ...(view.needs ? { needs: view.needs } : {}),
    lastRunId: view.lastRunId, createdAt: view.createdAt, updatedAt: view.updatedAt,
    ...(view.runtimeState ? { runtimeState: view.runtimeState } : {}),
    ...(view.next ? { next: view.next } : {}),
  };
}

export function appDetail(status: AppStatus) {
  return { ...appView(status), recentCommits: status.recentCommits };
}
