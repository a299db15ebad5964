import { InputError } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';

/** Where the address of a Slipway server came from, named in messages so people know what to fix. */
export type ServerSource = '--server' | 'SLIPWAY_SERVER';

/**
 * The base URL of a Slipway server: http or https, no user or password (the token travels in
 * SLIPWAY_TOKEN, never in a URL that lands in shell history), no query or fragment. A trailing path
 * is kept, so a server behind a reverse proxy at `https://lab.lan/slipway/` works.
 * @example serverAddress('http://127.0.0.1:8420', '--server').href // 'http://127.0.0.1:8420/'
 */
export function serverAddress(text: string, source: ServerSource): URL {
  const example = { hint: `e.g. ${source === '--server' ? '--server ' : 'SLIPWAY_SERVER='}http://127.0.0.1:8420` };
  const url = URL.parse(text);
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    // `localhost:8420` parses as a URL of scheme `localhost:`: the example shows what was meant.
    throw new InputError(`${source} must be an http:// or https:// URL, not ${JSON.stringify(redactUrlCredentials(text))}`, example);
  }
  // The URL itself is not repeated: it holds the very credentials that must stay out of output.
  if (url.username || url.password) {
    throw new InputError(`${source} must not hold a user or password`, { hint: 'Give the server URL alone and the token in SLIPWAY_TOKEN.' });
  }
  if (url.search || url.hash) throw new InputError(`${source} must not hold a query or fragment`, example);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** A server URL as shown in messages: scheme, host, port and path, nothing else. */
export function describeServer(url: URL): string {
  return `${url.origin}${url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')}`;
}
