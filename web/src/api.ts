/**
 * The page's only way to the server: the same /v1 routes every client uses. The session cookie
 * travels by itself (same origin); the CSRF value lives in memory only and goes on every request
 * that changes something.
 */
import { navigate } from './router.ts';
import { setSession, signInMessage } from './session.ts';

/** An application/problem+json answer, with what to do about it. */
export class Problem extends Error {
  readonly status: number;
  readonly type: string;
  readonly hint: string | undefined;
  constructor(status: number, body: { type?: string; title?: string; detail?: string; hint?: string }) {
    super(body.detail ?? body.title ?? `the server answered ${status}`);
    this.status = status;
    this.type = body.type ?? '';
    this.hint = body.hint;
  }
}

let csrf: string | undefined;

export function setCsrf(value: string | undefined): void {
  csrf = value;
}

/** Calls a /v1 route and returns its JSON body (undefined for 204); a problem is thrown as Problem. */
export async function api<T>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const problem = new Problem(response.status, (body ?? {}) as Record<string, string>);
    // A wrong token on the sign-in page is that page's own error, not a reason to send it there.
    if (response.status === 401 && path !== '/v1/session') sendToSignIn(problem);
    throw problem;
  }
  return body as T;
}

/** A 401 anywhere ends what the page holds and asks for the token again. */
export function sendToSignIn(problem: Problem): void {
  csrf = undefined;
  setSession({ open: false, signedIn: false });
  signInMessage.value = problem.type.endsWith('/session-expired')
    ? 'Your session has expired. Sign in again.'
    : problem.message;
  if (location.pathname !== '/sign-in') navigate('/sign-in');
}

/** Encodes one path segment (an app name, a run id) for a /v1 URL. */
export const seg = encodeURIComponent;
