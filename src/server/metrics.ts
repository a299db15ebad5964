import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunEvent } from '../pipeline/index.ts';

/**
 * Slipway's Prometheus metrics, in a registry of their own (not prom-client's global one), so two
 * servers in one process, as in tests, count apart.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly runs = new Counter({ name: 'slipway_runs_total', help: 'Runs that ended, by kind and outcome', labelNames: ['kind', 'outcome'] as const, registers: [this.registry] });
  /** Failed runs by the step they failed at: what the dashboard's "failures by stage" and the alerts read. */
  private readonly failures = new Counter({ name: 'slipway_run_failures_total', help: 'Runs that failed, by kind and the step they failed at', labelNames: ['kind', 'stage'] as const, registers: [this.registry] });
  private readonly steps = new Histogram({
    name: 'slipway_step_duration_seconds', help: 'How long run steps took, by step and status', labelNames: ['step', 'status'] as const,
    // From a cached render (tens of ms) to a slow image build or rollout (minutes).
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  private readonly http = new Counter({ name: 'slipway_http_requests_total', help: 'HTTP requests by method, route pattern and status', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });
  /** The kind of each run seen starting or queued, until it ends (run:end does not carry it). */
  private readonly kinds = new Map<string, string>();

  constructor(options: { queueDepth: () => Promise<number> }) {
    const { queueDepth } = options;
    new Gauge({
      name: 'slipway_queue_depth', help: 'Runs waiting in the queue', registers: [this.registry],
      async collect() {
        this.set(await queueDepth());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Counts a run's progress: finished runs by kind and outcome, failed ones also by the step they
   * failed at (`none` when no step was to blame, e.g. a cancelled queue), and each step that ran
   * (reused ones took no time).
   */
  observe(event: RunEvent): void {
    // run:queued and run:start carry the kind.
    if ('kind' in event) this.kinds.set(event.runId, event.kind);
    else if (event.type === 'step:end' && !event.reused) this.steps.observe({ step: event.stepId, status: event.status }, event.durationMs / 1000);
    else if (event.type === 'run:end') {
      const kind = this.kinds.get(event.runId) ?? 'unknown';
      this.runs.inc({ kind, outcome: event.status });
      if (event.status === 'failed') this.failures.inc({ kind, stage: event.error?.stepId ?? 'none' });
      this.kinds.delete(event.runId);
    }
  }

  countRequest(method: string, route: string, status: number): void {
    this.http.inc({ method, route, status: String(status) });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
