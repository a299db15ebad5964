import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLUSTER_DEFAULT_BASE, hostPlatform } from '../../app/image-plan.ts';
import { resolveCache, resolveHome } from '../../config/home.ts';
import { assertUsableDir } from '../../config/usable-dir.ts';
import { InputError } from '../../domain/errors.ts';
import type { Platform } from '../../ports/index.ts';
import { printJson, reportError } from '../output.ts';

export interface BuildOptions {
  image: string;
  base?: string;
  platform?: string;
  insecure?: boolean;
  entrypoint: string;
  json?: boolean;
}

/**
 * `slipway build <dir> --image <ref>`: one daemonless build and push. Its parts come from
 * composeBuild: the builder and the registry client only (and slipway.yaml only when there is one).
 */
export async function buildCommand(dir: string, opts: BuildOptions): Promise<number> {
  try {
    const contextDir = resolve(dir);
    if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) throw new InputError(`${dir} is not a directory`, { hint: 'Pass the directory holding the app.' });
    const env = process.env;
    const cwd = process.cwd();
    const config = await maybeLoadConfig(env, cwd);
    const [{ composeBuild }, { parseOciLayoutRef }, { parseImageRef }, { checkBase, parseBuildTarget, parsePlatforms }] = await Promise.all([
      import('../../app/compose-build.ts'),
      import('../../adapters/oci/oci-layout-store.ts'),
      import('../../adapters/registry/image-ref.ts'),
      import('./build-references.ts'),
    ]);
    // Every reference and option is checked before anything is written (the host base image, a layout folder).
    const target = parseBuildTarget(opts.image);
    let base = opts.base ?? config?.image.base ?? (target.kind === 'registry' ? CLUSTER_DEFAULT_BASE : 'host');
    checkBase(base, opts.base !== undefined ? '--base' : 'image.base');
    const platforms = opts.platform !== undefined ? parsePlatforms(opts.platform) : (config?.image.platforms ?? [hostPlatform()]) as Platform[];
    const entrypoint = parseEntrypoint(opts.entrypoint);
    const sourceDateEpoch = env.SOURCE_DATE_EPOCH ? parseEpoch(env.SOURCE_DATE_EPOCH) : undefined;
    if (readdirSync(contextDir).length === 0) throw new InputError(`${dir} is empty: there is nothing to build`, { hint: 'Pass the directory holding the app (its server.js or the file --entrypoint runs).' });
    const cache = config?.cache ?? resolveCache(env, cwd, homedir());
    // loadConfig checks its cache; without a slipway.yaml it is checked here.
    if (!config) assertUsableDir(cache, env.SLIPWAY_CACHE ? 'SLIPWAY_CACHE' : 'the cache directory (set SLIPWAY_CACHE to move it)');
    const insecureRegistries: string[] = [];
    if (opts.insecure) {
      if (target.kind === 'registry') insecureRegistries.push(target.ref.registry);
      if (base !== 'host' && !parseOciLayoutRef(base)) insecureRegistries.push(parseImageRef(base).registry);
    }
    const parts = composeBuild(config, { nodeBinary: process.execPath, vars: env, homedir: homedir(), ...(env.PATH ? { path: env.PATH } : {}) }, { cache, insecureRegistries });
    if (base === 'host') base = await parts.hostBase();
    try {
      const result = await parts.builder.build({
        contextDir, target, base, platforms, workdir: '/app', entrypoint,
        env: { PORT: '8080', NODE_ENV: 'production' }, exposedPorts: [8080], user: '1000:1000',
        ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}),
      });
      if (opts.json) printJson(result);
      else {
        process.stdout.write(`${result.image}\n  platforms ${result.platforms.join(', ')}  layers ${result.layers}  uploaded ${result.bytesUploaded} bytes  skipped ${result.blobsSkipped} blobs\n`);
      }
      // The registry's connections are idle now, and idle keep-alive sockets do not hold the process
      // open: it exits without the cost of closing them one by one.
      return 0;
    } catch (error) {
      // A failed build may leave a connection busy: close them all so that the process can exit.
      parts.close();
      throw error;
    }
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
}

function parseEntrypoint(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try { parsed = JSON.parse(trimmed); } catch { parsed = undefined; }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string' && p.length > 0)) {
      throw new InputError('--entrypoint as JSON must be a non-empty array of strings, e.g. ["node","server.js"]');
    }
    return parsed;
  }
  const words = trimmed.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new InputError('--entrypoint is empty; e.g. --entrypoint "node server.js"');
  return words;
}

function parseEpoch(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new InputError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, not '${text}'`);
  return value;
}

/** Loads slipway.yaml only when one exists: the schema library is not needed otherwise. */
async function maybeLoadConfig(env: NodeJS.ProcessEnv, cwd: string) {
  const home = resolveHome(env, cwd, homedir());
  if (!env.SLIPWAY_CONFIG && !existsSync(join(cwd, 'slipway.yaml')) && !existsSync(join(home, 'slipway.yaml'))) return undefined;
  const { loadConfig } = await import('../../config/load.ts');
  return loadConfig({ env, cwd, homedir: homedir() });
}
