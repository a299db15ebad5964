import { isIP } from 'node:net';
import type { TokenStore } from '../../ports/token-store.ts';

/**
 * Whether `host` (a listen address) reaches only this machine: 127.0.0.0/8, ::1 or localhost.
 * @example isLoopbackHost('127.0.0.1') // true
 * @example isLoopbackHost('0.0.0.0') // false
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(bare) || /^::ffff:127\./i.test(bare);
  return false;
}

/**
 * The `open` test of `authenticate`: a server listening on loopback with no token asks for none
 * (one person on their own machine). Counted on every request, so the first `slipway token create`
 * closes it at once, without a restart.
 * @example authenticate({ tokens, open: openWhenNoTokens({ tokens, host: '127.0.0.1' }) })
 */
export function openWhenNoTokens(options: { tokens: Pick<TokenStore, 'count'>; host: string }): () => Promise<boolean> {
  const loopback = isLoopbackHost(options.host);
  return async () => loopback && (await options.tokens.count()) === 0;
}
