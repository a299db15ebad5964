import type { Caller } from '../domain/api-token.ts';

/** A session just opened: the only moment its id exists outside the cookie that carries it. */
export interface OpenedSession {
  id: string;
  /** Sent back in X-CSRF-Token (or a `_csrf` form field) with every request that changes something. */
  csrf: string;
  expiresAt: string;
}

/** A live session: who it signs in (its token's name and current scope) and its CSRF value. */
export interface Session {
  caller: Caller;
  csrf: string;
  createdAt: string;
  expiresAt: string;
}

/** Sign-in sessions of the web page, each opened with an API token. Only a hash of each id is stored. */
export interface SessionStore {
  /** Opens a session for the token named `caller.name`. */
  open(caller: Caller): Promise<OpenedSession>;
  /** The session with that id, or undefined when it is unknown, expired, or its token was revoked. */
  find(id: string): Promise<Session | undefined>;
  /** Ends a session (signing out); an unknown id is fine. */
  end(id: string): Promise<void>;
}
