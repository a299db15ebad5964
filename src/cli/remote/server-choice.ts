import { InputError } from '../../domain/errors.ts';
import { serverAddress } from './server-address.ts';

/** What an `Authorization: Bearer` value may hold (RFC 6750's b64token, a little wider): no spaces or control characters. */
const TOKEN = /^[\x21-\x7e]+$/;

/** A Slipway server the command line talks to instead of opening Slipway on this machine. */
export interface ServerChoice {
  url: URL;
  /** Sent as `Authorization: Bearer`; never printed. */
  token?: string;
}

let chosen: ServerChoice | undefined;

/**
 * The server a command line names: `--server`, else SLIPWAY_SERVER; undefined when neither is set,
 * and Slipway runs in this process. The token comes from SLIPWAY_TOKEN only, so it never sits in a
 * command line that shell history or `ps` would show. A URL that is not http(s) is bad input.
 */
export function serverFrom(flag: string | undefined, env: Record<string, string | undefined>): ServerChoice | undefined {
  const fromEnv = env.SLIPWAY_SERVER?.trim();
  const url = flag !== undefined ? serverAddress(flag, '--server') : fromEnv ? serverAddress(fromEnv, 'SLIPWAY_SERVER') : undefined;
  if (!url) return undefined;
  const token = env.SLIPWAY_TOKEN?.trim();
  // Checked here, as fetch's own refusal of such a header would quote the token.
  if (token && !TOKEN.test(token)) throw new InputError('SLIPWAY_TOKEN holds spaces or characters a request header cannot carry', { hint: 'Set it to the token `slipway token create` printed, and nothing else.' });
  return { url, ...(token ? { token } : {}) };
}

/** Records the server the command that is about to run talks to (undefined: this machine). */
export function chooseServer(choice: ServerChoice | undefined): void {
  chosen = choice;
}

/** The server chosen for this command line, if any (see chooseServer). */
export function chosenServer(): ServerChoice | undefined {
  return chosen;
}
