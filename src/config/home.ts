import { join, resolve } from 'node:path';

/** $SLIPWAY_HOME, else ~/.slipway (no schema needed: fast commands use it without loading config). */
export function resolveHome(env: Record<string, string | undefined>, cwd: string, homedir: string): string {
  return resolve(cwd, env.SLIPWAY_HOME || join(homedir, '.slipway'));
}

/** Where caches go: $SLIPWAY_CACHE, else $XDG_CACHE_HOME/slipway, else ~/.cache/slipway. */
export function resolveCache(env: Record<string, string | undefined>, cwd: string, homedir: string): string {
  if (env.SLIPWAY_CACHE) return resolve(cwd, env.SLIPWAY_CACHE);
  return join(env.XDG_CACHE_HOME ? resolve(cwd, env.XDG_CACHE_HOME) : join(homedir, '.cache'), 'slipway');
}
