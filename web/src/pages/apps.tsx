/** The apps this server knows, with their state, URL, last change, template and generator. */
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api.ts';
import { when } from '../format.ts';
import { ProblemView } from '../problem-view.tsx';

export interface AppView {
  app: string;
  state: string;
  url: string | null;
  description?: string;
  template?: string;
  generator?: string;
  target?: string;
  lastRunId?: string;
  updatedAt?: string;
}

export function AppsPage() {
  const [apps, setApps] = useState<AppView[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api<{ apps: AppView[] }>('/v1/apps').then((a) => setApps(a.apps), setError);
  }, []);
  return (
    <>
      <h1 tabIndex={-1}>Apps</h1>
      {error ? <ProblemView error={error} /> : null}
      {apps === undefined && !error ? <p>Loading…</p> : null}
      {apps?.length === 0 ? <p>No apps yet. <a href="/">Ask for one.</a></p> : null}
      {apps && apps.length > 0 ? (
        <div class="table-wrap">
          <table class="apps">
            <caption class="sr-only">Apps with their state, URL, last change, template and generator</caption>
            <thead><tr><th scope="col">App</th><th scope="col">State</th><th scope="col">URL</th><th scope="col">Last change</th><th scope="col">Template</th><th scope="col">Generator</th></tr></thead>
            <tbody>
              {apps.map((app) => (
                <tr key={app.app} data-app={app.app}>
                  <th scope="row"><a href={`/apps/${seg(app.app)}`}>{app.app}</a></th>
                  <td><span class={`badge ${app.state}`}>{app.state}</span></td>
                  <td>{app.url ? <a href={app.url} target="_blank" rel="noreferrer">{app.url}</a> : '—'}</td>
                  <td>{when(app.updatedAt)}</td>
                  <td>{app.template ?? '—'}</td>
                  <td>{app.generator ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
