/** Exchanges an API token for a session cookie; the token itself is never kept by the page. */
import { useState } from 'preact/hooks';
import { api, setCsrf } from '../api.ts';
import { ProblemView } from '../problem-view.tsx';
import { navigate } from '../router.ts';
import { session, setSession, signInMessage, useShared } from '../session.ts';

export function SignInPage() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const message = useShared(signInMessage);
  const state = useShared(session);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    try {
      const answer = await api<{ name: string; scope: string; csrf: string }>('/v1/session', { method: 'POST', body: { token: token.trim() } });
      setToken('');
      setCsrf(answer.csrf);
      signInMessage.value = undefined;
      setSession({ open: false, signedIn: true, name: answer.name, scope: answer.scope });
      navigate('/');
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <>
      <h1 tabIndex={-1}>Sign in</h1>
      {message ? <p class="problem" role="alert">{message}</p> : null}
      {state?.signedIn ? <p>You are signed in as {state.name}.</p> : null}
      <form class="stack narrow" onSubmit={submit}>
        <div class="field">
          <label for="token">API token</label>
          <input id="token" name="token" type="password" autocomplete="off" spellcheck={false} required value={token}
            aria-describedby="token-note" onInput={(e) => setToken(e.currentTarget.value)} />
          <p id="token-note" class="note">A token made with <code>slipway token create</code>. The page keeps a session cookie, never the token.</p>
        </div>
        <div><button type="submit" class="primary">Sign in</button></div>
        {error ? <ProblemView error={error} /> : null}
      </form>
    </>
  );
}

export function SignOutButton({ name }: { name: string | undefined }) {
  async function signOut() {
    try {
      await api('/v1/session', { method: 'DELETE' });
    } finally {
      setCsrf(undefined);
      setSession({ open: false, signedIn: false });
      signInMessage.value = 'You are signed out.';
      navigate('/sign-in');
    }
  }
  return (
    <>
      {name ? <span class="muted">{name}</span> : null}
      <button type="button" class="link" onClick={signOut}>Sign out</button>
    </>
  );
}
