import { hostname } from 'node:os';
import type { DatabaseSync } from 'node:sqlite';
import { resumeCommand, type ErrorInfo, type Run, type RunStatus, type StepRecord, type StepStatus } from '../../domain/index.ts';
import type { RunEvent, StoredRunEvent } from '../../pipeline/events.ts';
import type { NewRun, RunFilter, RunStore } from '../../ports/index.ts';
import { processIsAlive } from '../os/index.ts';

interface RunRow {
  id: string; kind: string; app: string; status: string; request: string; created_at: string;
  updated_at: string; ended_at: string | null; error: string | null; owner_pid: number | null; owner_host: string | null;
  origin: string; events: number;
}
interface StepRow {
  step_id: string; title: string; attempt: number; status: string; started_at: string; ended_at: string | null;
  duration_ms: number | null; error: string | null; reused: number;
}

/** Runs and their timelines in SQLite (`node:sqlite`). */
export class SqliteRunStore implements RunStore {
  private readonly db: DatabaseSync;
  private readonly now: () => Date;
  private readonly isAlive: (pid: number) => boolean;
  private readonly host: string;

  constructor(options: { db: DatabaseSync; now?: () => Date; isAlive?: (pid: number) => boolean; host?: string }) {
    this.db = options.db;
    this.now = options.now ?? (() => new Date());
    this.isAlive = options.isAlive ?? processIsAlive;
    this.host = options.host ?? hostname();
  }

  async createRun(run: NewRun): Promise<Run> {
    const at = this.now().toISOString();
    // With a key used before, the insert does nothing and the first run with that key is returned.
    this.db
      .prepare(`INSERT INTO runs (id, kind, app, status, request, created_at, updated_at, origin, owner_pid, owner_host, idempotency_key)
        VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`)
      .run(run.id, run.kind, run.app, JSON.stringify(run.request), at, at, run.origin ?? 'cli', run.owner?.pid ?? null, run.owner?.host ?? null, run.idempotencyKey ?? null);
    if (run.idempotencyKey !== undefined) return (await this.runWithIdempotencyKey(run.idempotencyKey))!;
    return (await this.getRun(run.id))!;
  }

  async runWithIdempotencyKey(key: string): Promise<Run | undefined> {
    const row = this.db.prepare(`${SELECT_RUN} WHERE idempotency_key = ?`).get(key) as RunRow | undefined;
    return row ? this.toRun(row) : undefined;
  }

  /**
   * Records a finished run as it was, with its own times and no steps: `slipway repair` restores the
   * runs it reads from the repos' commit trailers. A run already recorded is left as it is.
   */
  restoreRun(run: Omit<Run, 'timeline' | 'updatedAt' | 'events'>): void {
    this.db
      .prepare('INSERT OR IGNORE INTO runs (id, kind, app, status, request, created_at, updated_at, ended_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(run.id, run.kind, run.app, run.status, JSON.stringify(run.request), run.createdAt, run.endedAt ?? run.createdAt,
        run.endedAt ?? null, run.error ? JSON.stringify(run.error) : null);
  }

  async getRun(id: string): Promise<Run | undefined> {
    const row = this.db.prepare(`${SELECT_RUN} WHERE id = ?`).get(id) as RunRow | undefined;
    return row ? this.toRun(row) : undefined;
  }

  async listRuns(filter: RunFilter = {}): Promise<Run[]> {
    const limit = filter.limit ?? 50;
    const where: string[] = [];
    const values: Array<string | number> = [];
    if (filter.app !== undefined) { where.push('app = ?'); values.push(filter.app); }
    if (filter.origin !== undefined) { where.push('origin = ?'); values.push(filter.origin); }
    // `interrupted` is read, not stored: it is found among the runs stored as queued or running.
    if (filter.status === 'interrupted') where.push("status IN ('queued', 'running')");
    else if (filter.status !== undefined) { where.push('status = ?'); values.push(filter.status); }
    const newest = filter.order !== 'oldest';
    if (filter.after) { where.push(newest ? '(created_at, id) < (?, ?)' : '(created_at, id) > (?, ?)'); values.push(filter.after.createdAt, filter.after.id); }
    const sql = `${SELECT_RUN} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at ${newest ? 'DESC' : 'ASC'}, id ${newest ? 'DESC' : 'ASC'}`;
    const derived = filter.status === 'interrupted' || filter.status === 'queued' || filter.status === 'running';
    if (!derived) {
      const rows = this.db.prepare(`${sql} LIMIT ?`).all(...values, limit) as unknown as RunRow[];
      return rows.map((r) => this.toRun(r));
    }
    // Few runs wait or run at once: their rows are all read, and only those that read as asked get
    // their timelines (the queue and the queue-depth metric ask this often).
    const rows = this.db.prepare(sql).all(...values) as unknown as RunRow[];
    const reads = (row: RunRow) => (this.interrupted(row) ? 'interrupted' : row.status);
    return rows.filter((r) => reads(r) === filter.status).slice(0, limit).map((r) => this.toRun(r));
  }

  async stepOutput(runId: string, stepId: string): Promise<unknown | undefined> {
    const row = this.db
      .prepare("SELECT output FROM steps WHERE run_id = ? AND step_id = ? AND status = 'succeeded' AND output IS NOT NULL ORDER BY seq DESC LIMIT 1")
      .get(runId, stepId) as { output: string } | undefined;
    return row ? JSON.parse(row.output) : undefined;
  }

  async startStep(runId: string, stepId: string, title: string): Promise<void> {
    const prev = this.db.prepare('SELECT COUNT(*) AS n FROM steps WHERE run_id = ? AND step_id = ?').get(runId, stepId) as { n: number };
    const at = this.now().toISOString();
    // A step left 'running' by a killed process is closed as interrupted before the new attempt.
    this.db
      .prepare("UPDATE steps SET status = 'failed', ended_at = ?, error = ? WHERE run_id = ? AND step_id = ? AND status = 'running'")
      .run(at, JSON.stringify({ name: 'Interrupted', message: 'the process running this step stopped before it finished' }), runId, stepId);
    this.db
      .prepare("INSERT INTO steps (run_id, step_id, title, attempt, status, started_at) VALUES (?, ?, ?, ?, 'running', ?)")
      .run(runId, stepId, title, Number(prev.n) + 1, at);
    this.touch(runId, at);
  }

  async finishStep(runId: string, stepId: string, status: StepStatus, result: { output?: unknown; error?: ErrorInfo; reused?: boolean }): Promise<void> {
    const ended = this.now();
    const row = this.db
      .prepare("SELECT seq, started_at FROM steps WHERE run_id = ? AND step_id = ? AND status = 'running' ORDER BY seq DESC LIMIT 1")
      .get(runId, stepId) as { seq: number; started_at: string } | undefined;
    if (!row) throw new Error(`step ${stepId} of run ${runId} is not running`);
    const duration = ended.getTime() - Date.parse(row.started_at);
    this.db
      .prepare('UPDATE steps SET status = ?, ended_at = ?, duration_ms = ?, error = ?, output = ?, reused = ? WHERE seq = ?')
      .run(status, ended.toISOString(), duration, result.error ? JSON.stringify(result.error) : null,
        result.output === undefined ? null : JSON.stringify(result.output), result.reused ? 1 : 0, row.seq);
    this.touch(runId, ended.toISOString());
  }

  async setRunStatus(runId: string, status: RunStatus, error?: ErrorInfo & { stepId?: string }): Promise<void> {
    const at = this.now().toISOString();
    const ended = status === 'running' || status === 'queued' ? null : at;
    this.db
      .prepare('UPDATE runs SET status = ?, updated_at = ?, ended_at = ?, error = ? WHERE id = ?')
      .run(status, at, ended, error ? JSON.stringify(error) : null, runId);
  }

  async changeRunStatus(runId: string, from: RunStatus, to: RunStatus, error?: ErrorInfo & { stepId?: string }): Promise<boolean> {
    const at = this.now().toISOString();
    const ended = to === 'running' || to === 'queued' ? null : at;
    const result = this.db
      .prepare('UPDATE runs SET status = ?, updated_at = ?, ended_at = ?, error = ? WHERE id = ? AND status = ?')
      .run(to, at, ended, error ? JSON.stringify(error) : null, runId, from);
    return Number(result.changes) === 1;
  }

  async appendEvent(runId: string, event: RunEvent): Promise<StoredRunEvent> {
    const at = this.now().toISOString();
    // One statement numbers and inserts, so two writers never take the same number.
    const row = this.db
      .prepare('INSERT INTO run_events (run_id, seq, at, event) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ? FROM run_events WHERE run_id = ? RETURNING seq')
      .get(runId, at, JSON.stringify(event), runId) as { seq: number };
    return { seq: Number(row.seq), at, event };
  }

  async events(runId: string, after = 0): Promise<StoredRunEvent[]> {
    const rows = this.db.prepare('SELECT seq, at, event FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq').all(runId, after) as Array<{ seq: number; at: string; event: string }>;
    return rows.map((r) => ({ seq: Number(r.seq), at: r.at, event: JSON.parse(r.event) as RunEvent }));
  }

  async claimRun(runId: string, owner: { pid: number; host: string }): Promise<boolean> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const row = this.db.prepare('SELECT owner_pid, owner_host FROM runs WHERE id = ?').get(runId) as { owner_pid: number | null; owner_host: string | null } | undefined;
      if (!row) throw new Error(`no run ${runId}`);
      const held = row.owner_pid !== null && row.owner_pid !== owner.pid && (row.owner_host !== owner.host || this.isAlive(row.owner_pid));
      if (held) {
        this.db.exec('ROLLBACK');
        return false;
      }
      this.db.prepare('UPDATE runs SET owner_pid = ?, owner_host = ? WHERE id = ?').run(owner.pid, owner.host, runId);
      this.db.exec('COMMIT');
      return true;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async releaseRun(runId: string): Promise<void> {
    this.db.prepare('UPDATE runs SET owner_pid = NULL, owner_host = NULL WHERE id = ?').run(runId);
  }

  private touch(runId: string, at: string): void {
    this.db.prepare('UPDATE runs SET updated_at = ? WHERE id = ?').run(at, runId);
  }

  /**
   * A run stored as `running` whose process is gone: its owner on this machine no longer lives, or it
   * has no owner (its process stopped before claiming it, or let it go without finishing). A run
   * owned by a process on another machine cannot be checked, and reads as it is stored.
   */
  private interrupted(row: RunRow): boolean {
    if (row.status !== 'running' && row.status !== 'queued') return false;
    // A queued run nobody holds waits for a server to take it; a running one nobody holds was left.
    if (row.owner_pid === null) return row.status === 'running';
    return row.owner_host === this.host && !this.isAlive(row.owner_pid);
  }

  private toRun(row: RunRow): Run {
    const interrupted = this.interrupted(row);
    const steps = this.db
      .prepare('SELECT step_id, title, attempt, status, started_at, ended_at, duration_ms, error, reused FROM steps WHERE run_id = ? ORDER BY seq')
      .all(row.id) as unknown as StepRow[];
    const timeline: StepRecord[] = steps.map((s) => ({
      stepId: s.step_id,
      title: s.title,
      status: interrupted && s.status === 'running' ? 'interrupted' : s.status as StepStatus,
      attempt: s.attempt,
      startedAt: s.started_at,
      ...(s.ended_at ? { endedAt: s.ended_at } : {}),
      ...(s.duration_ms !== null ? { durationMs: s.duration_ms } : {}),
      ...(s.error ? { error: JSON.parse(s.error) as ErrorInfo } : {}),
      ...(s.reused ? { reused: true } : {}),
    }));
    return {
      id: row.id,
      kind: row.kind as Run['kind'],
      app: row.app,
      status: interrupted ? 'interrupted' : row.status as RunStatus,
      request: JSON.parse(row.request) as Record<string, unknown>,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      ...(row.ended_at ? { endedAt: row.ended_at } : {}),
      ...(interrupted ? { error: interruption(row, timeline) } : row.error ? { error: JSON.parse(row.error) as Run['error'] } : {}),
      timeline,
      events: Number(row.events),
    };
  }
}

/** A run's row with the number of events it has stored. */
const SELECT_RUN = 'SELECT runs.*, (SELECT COALESCE(MAX(seq), 0) FROM run_events WHERE run_events.run_id = runs.id) AS events FROM runs';

/** What people read about an interrupted run: where it stopped, and the command that continues it. */
function interruption(row: RunRow, timeline: StepRecord[]): NonNullable<Run['error']> {
  const step = timeline.findLast((s) => s.status === 'interrupted')?.stepId;
  const who = row.owner_pid === null ? 'the process running it' : `the process running it (pid ${row.owner_pid})`;
  return {
    name: 'Interrupted',
    message: `${who} stopped before the run finished`,
    hint: `Continue it with: ${resumeCommand(row.id)}`,
    ...(step ? { stepId: step } : {}),
  };
}
