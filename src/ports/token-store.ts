import type { Caller, TokenScope } from '../domain/api-token.ts';

/** A token just created: the only moment its text exists outside the client that stores it. */
export interface IssuedToken {
  name: string;
  scope: TokenScope;
  token: string;
}

/** What is kept about a token (never its text). */
export interface TokenInfo {
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt?: string;
}

/** The API tokens the server accepts. Only a hash of each token is stored. */
export interface TokenStore {
  /** Creates a token; a name already in use is a ConflictError, a bad name an InputError. */
  create(name: string, scope: TokenScope): Promise<IssuedToken>;
  /**
   * Keeps `token` (given from outside, e.g. a Secret the cluster mounts) as the token named `name`,
   * replacing an earlier value of that name; unchanged, it changes nothing. A token that is too short
   * is an InputError, one already held by another name a ConflictError.
   */
  put(name: string, scope: TokenScope, token: string): Promise<void>;
  list(): Promise<TokenInfo[]>;
  /** True when a token of that name existed and is gone. */
  revoke(name: string): Promise<boolean>;
  /** The caller a token belongs to (and notes its use), or undefined for an unknown token. */
  verify(token: string): Promise<Caller | undefined>;
  count(): Promise<number>;
}
