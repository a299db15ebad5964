import { InputError } from './errors.ts';

/** What an API token may do, from least to most: read < write < admin. */
export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Who made a request: a token's name and scope, or `anonymous` on a server with no tokens. */
export interface Caller {
  name: string;
  scope: TokenScope;
  /** True when no token was asked for (a loopback server with no tokens): rate limits count by address. */
  anonymous?: boolean;
}

export const MAX_TOKEN_NAME_LENGTH = 40;
/** What a token name looks like (see TOKEN_NAME_RULE). */
export const TOKEN_NAME = /^[a-z0-9][a-z0-9-]*$/;

export const TOKEN_NAME_RULE =
  `a token name has 1-${MAX_TOKEN_NAME_LENGTH} characters: lowercase letters, digits and '-', not starting with '-'`;

/**
 * Checks a token name given by a person, so a list of tokens reads like the clients that hold them.
 * @example assertTokenName('n8n') // 'n8n'
 */
export function assertTokenName(name: string): string {
  if (name.length === 0 || name.length > MAX_TOKEN_NAME_LENGTH || !TOKEN_NAME.test(name)) {
    const shown = name.length > MAX_TOKEN_NAME_LENGTH ? `${name.slice(0, MAX_TOKEN_NAME_LENGTH)}…` : name;
    throw new InputError(`'${shown}' is not a valid token name; ${TOKEN_NAME_RULE}`, {
      hint: 'Name the token after the client that will hold it, e.g. --name n8n or --name ci-deploy.',
    });
  }
  return name;
}

export function isTokenScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value);
}

/**
 * Checks a scope given by a person.
 * @example assertTokenScope('write') // 'write'
 */
export function assertTokenScope(value: string): TokenScope {
  if (isTokenScope(value)) return value;
  throw new InputError(`'${value}' is not a token scope; the scopes are ${TOKEN_SCOPES.join(', ')}`, {
    hint: 'read lists and watches apps and runs, write also creates, deletes, resumes and cancels them, admin may do everything.',
  });
}

/**
 * Whether a caller holding `held` may do what needs `needed` (scopes are ordered read < write < admin).
 * @example scopeAllows('write', 'read') // true
 */
export function scopeAllows(held: TokenScope, needed: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(held) >= TOKEN_SCOPES.indexOf(needed);
}
