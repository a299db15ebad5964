import type { Caller } from '../../domain/api-token.ts';

/** What the access middleware leaves on a request's context for the routes behind it. */
export interface AccessVariables {
  /** Who is asking: set by `authenticate` (a token, or anonymous on an open server) or by `signedIntake`. */
  caller: Caller;
  /** The signed intake's body, parsed once from the exact bytes whose signature was checked. */
  intakeBody: unknown;
}

export interface AccessEnv {
  Variables: AccessVariables;
}
