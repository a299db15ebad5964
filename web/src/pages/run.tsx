/**
 * A run, live: the timeline fills in from the run's Server-Sent Events. Rows have a fixed height
 * and new ones are added below, so nothing on the page moves while it updates.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, seg } from '../api.ts';
import { duration } from '../format.ts';
import { ProblemView } from '../problem-view.tsx';

interface ErrorInfo { name: string; message: string; hint?: string; details?: Record<string, unknown>; stepId?: string }
interface RunDetail { runId: string; app: string; kind: string; status: string; events: number; url?: string; error?: ErrorInfo; nextSteps?: string[] }
interface Row { stepId: string; title: string; status: string; durationMs?: number; summary?: string; reused?: boolean }
type RunEvent =
  | { type: 'run:queued' | 'run:start'; resumed?: boolean }
  | { type: 'step:start'; stepId: string; title: string }
  | { type: 'step:end'; stepId: string; title: string; status: string; durationMs: number; reused: boolean; summary?: string; error?: ErrorInfo }
  | { type: 'run:end'; status: string; error?: ErrorInfo }
  | { type: 'log' | 'notify' };

const EVENT_TYPES = ['run:queued', 'run:start', 'step:start', 'step:end', 'run:end', 'log', 'notify'];

/** What the outside service answered, when the error kept it. */
function upstreamMessage(error: ErrorInfo): string | undefined {
  const details = error.details ?? {};
  for (const key of ['upstream', 'response', 'body', 'stderr', 'output', 'cause']) {
    const value = details[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

export function RunPage({ runId }: { runId: string }) {
  const [run, setRun] = useState<RunDetail>();
  const [rows, setRows] = useState<Row[]>([]);
  const [status, setStatus] = useState('');
  const [failure, setFailure] = useState<ErrorInfo>();
  const [announce, setAnnounce] = useState('');
  const [error, setError] = useState<unknown>();
  const [resuming, setResuming] = useState(false);
  const source = useRef<EventSource>(undefined);

  function apply(event: RunEvent) {
    if (event.type === 'step:start') {
      setRows((current) => upsert(current, { stepId: event.stepId, title: event.title, status: 'running' }));
      setAnnounce(`${event.title}: started`);
    } else if (event.type === 'step:end') {
      setRows((current) => upsert(current, {
        stepId: event.stepId, title: event.title, status: event.status, durationMs: event.durationMs,
        ...(event.summary ? { summary: event.summary } : {}), ...(event.reused ? { reused: true } : {}),
        ...(event.error && !event.summary ? { summary: event.error.message } : {}),
      }));
      setAnnounce(`${event.title}: ${event.status}`);
    } else if (event.type === 'run:start') {
      setStatus('running');
      setFailure(undefined);
    } else if (event.type === 'run:queued') {
      setStatus('queued');
    } else if (event.type === 'run:end') {
      setStatus(event.status);
      setFailure(event.error);
      setAnnounce(`The run ${event.status}.`);
    }
  }

  /** Follows the run's events after `after` until its run:end, then reads the run's outcome (URL). */
  function follow(after: number) {
    source.current?.close();
    const stream = new EventSource(`/v1/runs/${seg(runId)}/events${after > 0 ? `?after=${after}` : ''}`, { withCredentials: true });
    source.current = stream;
    for (const type of EVENT_TYPES) {
      stream.addEventListener(type, (message) => {
        const event = JSON.parse((message as MessageEvent<string>).data) as RunEvent;
        apply(event);
        if (event.type === 'run:end') {
          // The stream would end and the browser would reconnect: the run is over, so stop here.
          stream.close();
          api<RunDetail>(`/v1/runs/${seg(runId)}`).then(setRun, setError);
        }
      });
    }
    stream.onerror = () => {
      // A closed stream that never opened: ask the run itself, which says why (a 401 goes to sign-in).
      if (stream.readyState === EventSource.CLOSED) api<RunDetail>(`/v1/runs/${seg(runId)}`).then(setRun, setError);
    };
  }

  useEffect(() => {
    setRows([]);
    setFailure(undefined);
    api<RunDetail>(`/v1/runs/${seg(runId)}`).then((detail) => {
      setRun(detail);
      setStatus(detail.status);
      follow(0);
    }, setError);
    return () => source.current?.close();
  }, [runId]);

  async function resume() {
    setResuming(true);
    setError(undefined);
    try {
      // The new attempt's events come after those the run holds now.
      const before = await api<RunDetail>(`/v1/runs/${seg(runId)}`);
      await api(`/v1/runs/${seg(runId)}/resume`, { method: 'POST' });
      setFailure(undefined);
      setStatus('queued');
      setRun({ ...before, status: 'queued' });
      follow(before.events);
    } catch (caught) {
      setError(caught);
    } finally {
      setResuming(false);
    }
  }

  const failedRow = failure?.stepId ? rows.find((r) => r.stepId === failure.stepId) : undefined;
  const url = status === 'succeeded' ? run?.url : undefined;
  const upstream = failure ? upstreamMessage(failure) : undefined;
  return (
    <>
      <h1 tabIndex={-1}>{run ? `${headingVerb(run.kind, status)} ${run.app}` : 'Run'}</h1>
      <p class="muted">Run <code>{runId}</code>{run ? <> · <a href={`/apps/${seg(run.app)}`}>app page</a></> : null}</p>
      <div class="outcome" data-status={status}>
        <span class={`badge ${status}`} id="run-status">{status || '…'}</span>
        {url ? <a class="big-link" href={url} target="_blank" rel="noreferrer">{url}</a> : null}
      </div>
      <div class="sr-only" aria-live="polite" role="status">{announce}</div>
      <ol class="timeline" aria-label="Steps">
        {rows.map((row) => (
          <li key={row.stepId} class="step" data-step={row.stepId} data-status={row.status}>
            <span class={`dot ${row.status}`} aria-hidden="true" />
            <span class="step-title">{row.title}</span>
            <span class="step-status">{row.reused ? 'reused' : row.status}</span>
            <span class="step-time">{row.status === 'running' ? '…' : duration(row.durationMs)}</span>
            <span class="step-summary" title={row.summary}>{row.summary ?? ''}</span>
          </li>
        ))}
      </ol>
      {status === 'succeeded' && run?.nextSteps?.length ? (
        <section class="next-steps" aria-labelledby="next-steps-heading">
          <h2 id="next-steps-heading">Secrets to set</h2>
          <p>The app runs on its defaults until you set them:</p>
          <pre>{run.nextSteps.join('\n')}</pre>
        </section>
      ) : null}
      {failure && (status === 'failed' || status === 'cancelled') ? (
        <section class="failure" aria-labelledby="failure-heading">
          <h2 id="failure-heading">The run {status}</h2>
          <dl>
            <dt>Stage</dt><dd class="failure-stage">{failedRow ? `${failedRow.title} (${failure.stepId})` : failure.stepId ?? 'before any step'}</dd>
            <dt>Reason</dt><dd class="failure-reason">{failure.message}</dd>
            {upstream ? <><dt>Upstream message</dt><dd class="failure-upstream"><pre>{upstream}</pre></dd></> : null}
            {failure.hint ? <><dt>What to do</dt><dd class="failure-hint">{failure.hint}</dd></> : null}
          </dl>
          <button type="button" class="primary" onClick={resume} disabled={resuming}>{resuming ? 'Resuming…' : 'Resume'}</button>
        </section>
      ) : null}
      {error ? <ProblemView error={error} /> : null}
    </>
  );
}

function upsert(rows: Row[], row: Row): Row[] {
  const index = rows.findIndex((r) => r.stepId === row.stepId);
  if (index === -1) return [...rows, row];
  const next = rows.slice();
  next[index] = row;
  return next;
}

/** `Creating` while the run goes on, `Created` once it succeeded (`Deleting`, `Deleted` for a delete). */
function headingVerb(kind: string, status: string | undefined): string {
  const done = status === 'succeeded';
  if (kind === 'delete') return done ? 'Deleted' : 'Deleting';
  return done ? 'Created' : 'Creating';
}
