import { readFileSync } from 'node:fs';
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
 * and Slipway runs in this process. The token comes from the file `--token-file` names, else from
 * SLIPWAY_TOKEN, never from a flag's value, which shell history and `ps` would show. A URL that is
 * not http(s), an unreadable token file or a token a header cannot carry is bad input.
 */
export function serverFrom(flags: { server?: string; tokenFile?: string }, env: Record<string, string | undefined>): ServerChoice | undefined {
  const fromEnv = env.SLIPWAY_SERVER?.trim();
  const url = flags.server !== undefined ? serverAddress(flags.server, '--server') : fromEnv ? serverAddress(fromEnv, 'SLIPWAY_SERVER') : undefined;
  if (!url) return undefined;
  const [token, source] = flags.tokenFile !== undefined ? [readTokenFile(flags.tokenFile), `the token in ${flags.tokenFile}`] : [env.SLIPWAY_TOKEN?.trim(), 'SLIPWAY_TOKEN'];
  // Checked here, as fetch's own refusal of such a header would quote the token.
  if (token && !TOKEN.test(token)) throw new InputError(`${source} holds spaces or characters a request header cannot carry`, { hint: 'Give the token `slipway token create` printed, and nothing else.' });
  return { url, ...(token ? { token } : {}) };
}

function readTokenFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new InputError(`cannot read --token-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { hint: 'Name a file that holds the token alone, e.g. --token-file ~/.config/slipway/token.' });
  }
}

/** Records the server the command that is about to run talks to (undefined: this machine). */
export function chooseServer(choice: ServerChoice | undefined): void {
  chosen = choice;
}

/** The server chosen for this command line, if any (see chooseServer). */
export function chosenServer(): ServerChoice | undefined {
  return chosen;
}
