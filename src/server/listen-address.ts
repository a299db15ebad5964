import { isIP } from 'node:net';

/**
 * Whether `host` only accepts connections from this machine. Without API tokens Slipway answers
 * anyone who can connect, so it listens elsewhere only once tokens exist.
 */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '::ffff:127.0.0.1';
}

/** The URL people reach a server at, with an IPv6 address in brackets. */
export function serverUrl(host: string, port: number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
