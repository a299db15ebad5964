/** The web page of `slipway serve`: a small client of the /v1 API. */
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { api, setCsrf } from './api.ts';
import { AppPage } from './pages/app.tsx';
import { AppsPage } from './pages/apps.tsx';
import { AskPage } from './pages/ask.tsx';
import { HealthPage } from './pages/health.tsx';
import { RunPage } from './pages/run.tsx';
import { SignInPage, SignOutButton } from './pages/sign-in.tsx';
import { navigate, usePath } from './router.ts';
import { canUseApi, session, setSession, useShared } from './session.ts';
import './style.css';

interface SessionAnswer {
  open: boolean;
  signedIn: boolean;
  name?: string;
  scope?: string;
  csrf?: string;
}

async function loadSession(): Promise<void> {
  const answer = await api<SessionAnswer>('/v1/session');
  setCsrf(answer.csrf);
  setSession({ open: answer.open, signedIn: answer.signedIn, ...(answer.name ? { name: answer.name } : {}), ...(answer.scope ? { scope: answer.scope } : {}) });
}

function Page({ path }: { path: string }) {
  const app = /^\/apps\/([^/]+)$/.exec(path);
  if (app) return <AppPage app={decodeURIComponent(app[1]!)} />;
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) return <RunPage runId={decodeURIComponent(run[1]!)} />;
  switch (path) {
    case '/': return <AskPage />;
    case '/apps': return <AppsPage />;
    case '/health': return <HealthPage />;
    case '/sign-in': return <SignInPage />;
    default: return <NotFound />;
  }
}

function NotFound() {
  return (
    <>
      <h1 tabIndex={-1}>Not found</h1>
      <p>There is no page here. <a href="/">Ask for an app</a> or see <a href="/apps">your apps</a>.</p>
    </>
  );
}

function Shell() {
  const path = usePath();
  const state = useShared(session);
  useEffect(() => {
    loadSession().catch(() => setSession({ open: false, signedIn: false }));
  }, []);
  useEffect(() => {
    if (state && !canUseApi(state) && path !== '/sign-in') navigate('/sign-in', { replace: true });
  }, [state, path]);
  const link = (href: string, label: string) => (
    <a href={href} aria-current={(href === '/' ? path === '/' : path.startsWith(href)) ? 'page' : undefined}>{label}</a>
  );
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href="/">Slipway</a>
        <nav aria-label="Main">
          {link('/', 'Ask')}
          {link('/apps', 'Apps')}
          {link('/health', 'Health')}
        </nav>
        <div class="who">
          {state?.signedIn ? <SignOutButton name={state.name} /> : state && !state.open ? link('/sign-in', 'Sign in') : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {state === undefined ? <p>Loading…</p> : canUseApi(state) || path === '/sign-in' ? <Page path={path} /> : <p>Loading…</p>}
      </main>
    </>
  );
}

render(<Shell />, document.getElementById('root')!);
