/** What the page knows about its session, kept in memory only (never in browser storage). */
import { useEffect, useState } from 'preact/hooks';

export interface SessionState {
  /** The server asks for no token (loopback and no token exists). */
  open: boolean;
  signedIn: boolean;
  name?: string;
  scope?: string;
}

type Listener = () => void;

/** A value the page's parts can watch. */
export class Shared<T> {
  #value: T;
  #listeners = new Set<Listener>();
  constructor(value: T) {
    this.#value = value;
  }
  get value(): T {
    return this.#value;
  }
  set value(next: T) {
    this.#value = next;
    for (const listener of this.#listeners) listener();
  }
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export function useShared<T>(shared: Shared<T>): T {
  const [, setTick] = useState(0);
  useEffect(() => shared.subscribe(() => setTick((n) => n + 1)), [shared]);
  return shared.value;
}

export const session = new Shared<SessionState | undefined>(undefined);
/** Said on the sign-in page: why the page was sent there. */
export const signInMessage = new Shared<string | undefined>(undefined);

export function setSession(next: SessionState): void {
  session.value = next;
}

/** The page may call the API: no token is needed, or it is signed in. */
export function canUseApi(state: SessionState | undefined): boolean {
  return state !== undefined && (state.open || state.signedIn);
}
