/** One app: its state, runs, source files, manifests, SLIPWAY.md, live logs, and Delete. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, seg } from '../api.ts';
import { when } from '../format.ts';
import { ProblemView } from '../problem-view.tsx';
import { navigate } from '../router.ts';
import type { AppView } from './apps.tsx';
import { DeleteDialog } from './delete-dialog.tsx';
import { FileBrowser } from './file-browser.tsx';

interface RunSummary { runId: string; kind: string; status: string; createdAt: string; error?: { message: string } }

export function AppPage({ app }: { app: string }) {
  const [view, setView] = useState<AppView>();
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setView(undefined);
    api<AppView>(`/v1/apps/${seg(app)}`).then(setView, setError);
    api<{ runs: RunSummary[] }>(`/v1/runs?app=${seg(app)}&limit=20`).then((a) => setRuns(a.runs), setError);
  }, [app]);

  async function remove() {
    const run = await api<{ runId: string }>(`/v1/apps/${seg(app)}`, { method: 'DELETE' });
    navigate(`/runs/${seg(run.runId)}`);
  }

  return (
    <>
      <h1 tabIndex={-1}>{app}</h1>
      {error ? <ProblemView error={error} /> : null}
      {view ? (
        <>
          <dl class="facts">
            <dt>State</dt><dd><span class={`badge ${view.state}`}>{view.state}</span></dd>
            <dt>URL</dt><dd>{view.url ? <a href={view.url} target="_blank" rel="noreferrer">{view.url}</a> : '—'}</dd>
            <dt>Template</dt><dd>{view.template ?? '—'}</dd>
            <dt>Asked for</dt><dd>{view.description ?? '—'}</dd>
            <dt>Last change</dt><dd>{when(view.updatedAt)}</dd>
          </dl>
          <section aria-labelledby="runs-heading">
            <h2 id="runs-heading">Runs</h2>
            <ul class="runs">
              {runs.map((run) => (
                <li key={run.runId}>
                  <a href={`/runs/${seg(run.runId)}`}><code>{run.runId}</code></a> {run.kind} <span class={`badge ${run.status}`}>{run.status}</span> <span class="muted">{when(run.createdAt)}</span>
                </li>
              ))}
            </ul>
          </section>
          <FileBrowser app={app} repo="source" heading="Source files" />
          <FileBrowser app={app} repo="gitops" heading="Manifests" />
          <Provenance app={app} />
          {view.target === 'cluster' ? null : <Logs app={app} />}
          <section aria-labelledby="delete-heading">
            <h2 id="delete-heading">Delete</h2>
            <p>Stops the app and removes it from both repos (one commit each).</p>
            <DeleteDialog app={app} onConfirm={remove} />
          </section>
        </>
      ) : null}
    </>
  );
}

function Provenance({ app }: { app: string }) {
  const [text, setText] = useState<string>();
  useEffect(() => {
    api<{ content?: string }>(`/v1/apps/${seg(app)}/files/SLIPWAY.md?repo=source`).then((f) => setText(f.content ?? ''), () => setText(undefined));
  }, [app]);
  if (text === undefined) return null;
  return (
    <section aria-labelledby="provenance-heading">
      <h2 id="provenance-heading">SLIPWAY.md</h2>
      <pre class="code provenance" tabIndex={0} aria-label="SLIPWAY.md">{text}</pre>
    </section>
  );
}

/** The app's log, streamed: the last lines first, then new ones as it writes them. */
function Logs({ app }: { app: string }) {
  const [lines, setLines] = useState<string[]>([]);
  const [closed, setClosed] = useState(false);
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    setLines([]);
    const stream = new EventSource(`/v1/apps/${seg(app)}/logs?tail=200`, { withCredentials: true });
    stream.addEventListener('log', (message) => {
      const { line } = JSON.parse((message as MessageEvent<string>).data) as { line: string };
      setLines((current) => [...current.slice(-499), line]);
    });
    stream.onerror = () => {
      if (stream.readyState === EventSource.CLOSED) setClosed(true);
    };
    return () => stream.close();
  }, [app]);
  useEffect(() => {
    const element = box.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [lines]);
  return (
    <section aria-labelledby="logs-heading">
      <h2 id="logs-heading">Logs</h2>
      <pre class="code logs" ref={box} tabIndex={0} aria-label="Logs">{lines.join('\n')}</pre>
      {closed ? <p class="note">The log stream ended.</p> : null}
    </section>
  );
}
