import { isIP } from 'node:net';

/** The URL people reach a server at, with an IPv6 address in brackets. */
export function serverUrl(host: string, port: number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
