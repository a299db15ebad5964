/** The checks `slipway doctor` runs, with what to do about each that is not ok. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { ProblemView } from '../problem-view.tsx';

interface Check { name: string; status: 'ok' | 'warn' | 'fail'; detail: string; fix?: string }

export function HealthPage() {
  const [checks, setChecks] = useState<Check[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api<{ checks: Check[] }>('/v1/doctor').then((a) => setChecks(a.checks), setError);
  }, []);
  return (
    <>
      <h1 tabIndex={-1}>Health</h1>
      {error ? <ProblemView error={error} /> : null}
      {checks === undefined && !error ? <p>Checking…</p> : null}
      {checks ? (
        <ul class="checks">
          {checks.map((check) => (
            <li key={check.name} class="check" data-status={check.status}>
              <span class={`badge ${check.status}`}>{check.status}</span>
              <div>
                <strong>{check.name}</strong>
                <p>{check.detail}</p>
                {check.fix ? <p class="hint">What to do: {check.fix}</p> : null}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
