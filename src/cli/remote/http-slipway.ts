import type { AppStatus, AppVersions, AppView, RunReport, StartRequest } from '../../app/slipway-service.ts';
import { assertAppName, InputError, type Run } from '../../domain/index.ts';
import type { StoredRunEvent } from '../../pipeline/index.ts';
import { openLogLines, type LogRequest } from './log-lines.ts';
import { followRunEvents, type FollowOptions } from './run-events.ts';
import type { ServerClient } from './server-client.ts';
import { z } from 'zod';
import { AcceptedRunJson, AppJson, AppListJson, AppStatusJson, AppVersionListJson, RunJson, RunListJson, RunSummaryJson } from './wire.ts';

/** `GET /v1/apps/{app}/config`'s answer. */
const AppConfigJson = z.object({ app: z.string(), env: z.string(), settings: z.record(z.string(), z.string()), secrets: z.array(z.string()) });

/** The most runs the API returns in one page. */
const PAGE_LIMIT = 200;

export interface RunFilter {
  app?: string;
  status?: Run['status'];
  limit?: number;
  cursor?: string;
}

/**
 * Slipway's service as a running `slipway serve` offers it over HTTP: the same methods and results
 * as the in-process service, so a command works the same against either. Errors arrive as the
 * same error classes (see errorFromResponse), so exit codes and messages match too.
 * @example
 * const slipway = new HttpSlipway(new ServerClient({ url: new URL('http://127.0.0.1:8420/') }));
 * const run = await slipway.start({ kind: 'create', template: 'timer', name: 'focus' });
 * for await (const { event } of slipway.watch(run.id)) console.log(event.type);
 */
export class HttpSlipway {
  private readonly client: ServerClient;

  constructor(client: ServerClient) {
    this.client = client;
  }

  /** Queues a create, change, rollback, promote or delete on the server (`POST /v1/apps`, `POST /v1/apps/{app}/changes`, `…/rollback`, `…/promote`, `DELETE /v1/apps/{app}`); the same idempotency key returns the first run. */
  async start(request: StartRequest, options: { idempotencyKey?: string } = {}): Promise<Run> {
    const headers: Record<string, string> = options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {};
    if (request.kind === 'create') {
      const { kind: _kind, ...body } = request;
      const accepted = await this.client.call('POST', 'v1/apps', AcceptedRunJson, { body, headers });
      return { ...(await this.getRun(accepted.runId)), request: body };
    }
    if (request.kind === 'change') {
      const { kind: _kind, app, ...body } = request;
      assertAppName(app);
      const accepted = await this.client.call('POST', `v1/apps/${segment(app, 'app name')}/changes`, AcceptedRunJson, { body, headers });
      return { ...(await this.getRun(accepted.runId)), request: { app, ...body } };
    }
    if (request.kind === 'rollback') {
      const { kind: _kind, app, ...body } = request;
      assertAppName(app);
      const accepted = await this.client.call('POST', `v1/apps/${segment(app, 'app name')}/rollback`, AcceptedRunJson, { body, headers });
      return { ...(await this.getRun(accepted.runId)), request: { app, ...body } };
    }
    // Checked as the service checks it: the server refuses a bad name in the path in its own words.
    assertAppName(request.app);
    if (request.kind === 'configure') return this.configure(request, headers);
    if (request.kind === 'promote') {
      const body = { from: request.from, to: request.to };
      const accepted = await this.client.call('POST', `v1/apps/${segment(request.app, 'app name')}/promote`, AcceptedRunJson, { body, headers });
      return { ...(await this.getRun(accepted.runId)), request: { app: request.app, ...body } };
    }
    const accepted = await this.client.call('DELETE', `v1/apps/${segment(request.app, 'app name')}`, AcceptedRunJson, { headers });
    return { ...(await this.getRun(accepted.runId)), request: { app: request.app } };
  }

  /** An app's settings and secret names in an environment (`GET /v1/apps/{app}/config`). */
  async config(app: string, options: { env?: string } = {}): Promise<z.infer<typeof AppConfigJson>> {
    return this.client.call('GET', `v1/apps/${segment(app, 'app name')}/config`, AppConfigJson, { query: { env: options.env } });
  }

  /**
   * A configure request as the API takes it: settings through `PATCH …/config`, one secret through
   * `PUT` or `DELETE …/secrets/{name}` (the value in the body, never in the URL).
   */
  private async configure(request: Extract<StartRequest, { kind: 'configure' }>, headers: Record<string, string>): Promise<Run> {
    const app = segment(request.app, 'app name');
    const env = request.env !== undefined ? { env: request.env } : {};
    const secrets = Object.entries(request.secrets ?? {});
    const unsetSecrets = request.unsetSecrets ?? [];
    const settings = { ...request.set, ...Object.fromEntries((request.unset ?? []).map((name) => [name, null])) };
    const parts = (secrets.length > 0 ? 1 : 0) + (unsetSecrets.length > 0 ? 1 : 0) + (Object.keys(settings).length > 0 ? 1 : 0);
    if (parts !== 1 || secrets.length > 1 || unsetSecrets.length > 1) throw new InputError('a server takes settings, one secret to set or one secret to unset per request');
    let answer;
    if (secrets.length === 1) {
      const [name, value] = secrets[0]!;
      answer = await this.client.call('PUT', `v1/apps/${app}/secrets/${segment(name, 'secret name')}`, AcceptedRunJson, { body: { value, ...env }, headers });
    } else if (unsetSecrets.length === 1) {
      answer = await this.client.call('DELETE', `v1/apps/${app}/secrets/${segment(unsetSecrets[0]!, 'secret name')}`, AcceptedRunJson, { query: { env: request.env }, headers });
    } else {
      answer = await this.client.call('PATCH', `v1/apps/${app}/config`, AcceptedRunJson, { body: { settings, ...env }, headers });
    }
    return await this.getRun(answer.runId);
  }

  /** The run's events: those stored after `after`, then live ones, ending after `run:end`. */
  watch(runId: string, options: FollowOptions = {}): AsyncIterable<StoredRunEvent> {
    return followRunEvents(this.client, segment(runId, 'run id'), options);
  }

  /** Cancels a queued or running run (a run that has ended is a conflict). */
  async cancel(runId: string): Promise<Run> {
    return toRun(await this.client.call('POST', `v1/runs/${segment(runId, 'run id')}/cancel`, RunSummaryJson));
  }

  /**
   * Queues an interrupted, failed or cancelled run again; a succeeded run comes back as it is. The
   * run's `events` is how many events its earlier attempts stored, counted before it is queued
   * (once queued, a worker may be adding this attempt's), so that following it from there shows
   * this attempt only.
   */
  async resume(runId: string): Promise<Run> {
    const id = segment(runId, 'run id');
    const before = await this.client.call('GET', `v1/runs/${id}`, RunJson);
    const stored = before.events;
    const accepted = await this.client.call('POST', `v1/runs/${id}/resume`, AcceptedRunJson);
    return { ...(await this.getRun(accepted.runId)), events: stored };
  }

  async report(runId: string): Promise<RunReport> {
    return toReport(await this.client.call('GET', `v1/runs/${segment(runId, 'run id')}`, RunJson));
  }

  /** Runs, newest first. More than a page's worth (`slipway runs --limit 500`) is read page by page. */
  async runs(filter: RunFilter = {}): Promise<{ runs: Run[]; nextCursor?: string }> {
    const wanted = filter.limit ?? 20;
    const runs: Run[] = [];
    let cursor = filter.cursor;
    do {
      const limit = Math.min(wanted - runs.length, PAGE_LIMIT);
      const page = await this.client.call('GET', 'v1/runs', RunListJson, { query: { app: filter.app, status: filter.status, limit, cursor } });
      runs.push(...page.runs.map(toRun));
      cursor = page.nextCursor;
    } while (cursor && runs.length < wanted);
    return { runs, ...(cursor ? { nextCursor: cursor } : {}) };
  }

  async list(): Promise<AppView[]> {
    return (await this.client.call('GET', 'v1/apps', AppListJson)).apps.map(toAppView);
  }

  async status(app: string): Promise<AppStatus> {
    const answer = await this.client.call('GET', `v1/apps/${segment(app, 'app name')}`, AppStatusJson);
    return { ...toAppView(answer), recentCommits: answer.recentCommits };
  }

  /** An app's output as `GET /v1/apps/{app}/logs` streams it (see openLogLines). */
  async logs(app: string, request: LogRequest): Promise<AsyncIterable<string>> {
    return openLogLines(this.client, segment(app, 'app name'), request);
  }

  /** The app's versions (`GET /v1/apps/{app}/versions`), as the service lists them. */
  async versions(app: string, options: { env?: string } = {}): Promise<AppVersions> {
    return this.client.call('GET', `v1/apps/${segment(app, 'app name')}/versions`, AppVersionListJson, { query: { env: options.env } });
  }

  private async getRun(runId: string): Promise<Run> {
    return toRun(await this.client.call('GET', `v1/runs/${segment(runId, 'run id')}`, RunJson));
  }
}

/**
 * A name or id as one path segment. `.` and `..` are refused: URLs resolve them as directories
 * (even escaped), so `resume ..` would reach another route instead of being refused as a bad id.
 */
function segment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..') throw new InputError(`'${value}' is not a valid ${what}`);
  return encodeURIComponent(value);
}

/**
 * A run in the order of the store's fields, so `runs --json` reads as it does on this machine. The
 * API leaves out the request a run stores.
 */
function toRun(json: RunSummaryJson): Run {
  return {
    id: json.runId, kind: json.kind, app: json.app, status: json.status, request: {},
    createdAt: json.createdAt, updatedAt: json.updatedAt, ...(json.endedAt ? { endedAt: json.endedAt } : {}),
    ...(json.error ? { error: json.error } : {}), timeline: json.timeline, events: json.events,
  } as Run;
}

function toReport(json: RunJson): RunReport {
  return json as RunReport;
}

/** The API names an app `app` and an unknown URL `null`; the service's views say `name` and leave it out. */
function toAppView(json: AppJson): AppView {
  const { app, url, ...rest } = json;
  return { name: app, ...rest, ...(url ? { url } : {}) } as AppView;
}
