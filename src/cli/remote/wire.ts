import { z } from 'zod';

/**
 * The JSON the server answers with, as the HTTP API documents it. Unknown fields are kept (a newer
 * server may add some); missing or mistyped ones are refused with a clear error instead of
 * surfacing later as `undefined`.
 */

const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
const StepStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled', 'skipped', 'interrupted']);
const RunKind = z.enum(['create', 'delete']);

const ErrorInfo = z.looseObject({
  name: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  stepId: z.string().optional(),
});

const StepRecord = z.looseObject({
  stepId: z.string(),
  title: z.string(),
  status: StepStatus,
  startedAt: z.string(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  attempt: z.number(),
  error: ErrorInfo.optional(),
  reused: z.boolean().optional(),
});

const Commits = z.object({ source: z.string().optional(), gitops: z.string().optional() });

/** What `POST /v1/apps`, `DELETE /v1/apps/{app}` and `POST /v1/runs/{id}/resume` answer (202). */
export const AcceptedRunJson = z.looseObject({ runId: z.string(), app: z.string(), kind: RunKind, status: RunStatus });

/** A run as lists and cancel show it: its state and timeline. */
export const RunSummaryJson = AcceptedRunJson.extend({
  createdAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().optional(),
  error: ErrorInfo.optional(),
  timeline: z.array(StepRecord),
  /** How many events the run has stored: the id of its last one. */
  events: z.number().int().min(0).optional(),
});
export type RunSummaryJson = z.infer<typeof RunSummaryJson>;

/** A run with what it made: `GET /v1/runs/{id}`. */
export const RunJson = RunSummaryJson.extend({
  url: z.string().optional(),
  template: z.string().optional(),
  commits: Commits,
  next: z.string().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  notifications: z.array(z.looseObject({ target: z.string(), ok: z.boolean(), attempts: z.number(), error: z.string().optional() })).optional(),
});
export type RunJson = z.infer<typeof RunJson>;

export const RunListJson = z.object({ runs: z.array(RunSummaryJson), nextCursor: z.string().optional() });

/** An app: each of `GET /v1/apps`; `GET /v1/apps/{app}` adds its recent commits. */
export const AppJson = z.looseObject({
  app: z.string(),
  state: z.enum(['deploying', 'running', 'stopped', 'failed', 'interrupted']),
  url: z.string().nullable().optional(),
  description: z.string(),
  template: z.string(),
  target: z.enum(['local', 'cluster']),
  commits: Commits,
  lastRunId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  runtimeState: z.enum(['running', 'stopped']).optional(),
  next: z.string().optional(),
});
export type AppJson = z.infer<typeof AppJson>;

export const AppListJson = z.object({ apps: z.array(AppJson) });

const CommitInfo = z.object({ sha: z.string(), subject: z.string(), author: z.string(), date: z.string(), trailers: z.record(z.string(), z.string()) });
export const AppStatusJson = AppJson.extend({ recentCommits: z.object({ source: z.array(CommitInfo), gitops: z.array(CommitInfo) }) });
