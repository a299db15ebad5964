import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../domain/index.ts';
import { resolveCache, resolveHome } from './home.ts';
import { ConfigSchema, type ResolvedConfig } from './schema.ts';
import { assertUsableDir } from './usable-dir.ts';

export interface ConfigSources {
  env: Record<string, string | undefined>;
  cwd: string;
  homedir: string;
}

/**
 * Reads configuration once: `$SLIPWAY_CONFIG`, else `./slipway.yaml`, else `$SLIPWAY_HOME/slipway.yaml`,
 * else defaults; then the environment (`SLIPWAY_HOME`, `SLIPWAY_LOG_LEVEL`).
 * @example const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: os.homedir() });
 */
export function loadConfig(sources: ConfigSources): ResolvedConfig {
  const { env, cwd, homedir } = sources;
  const home = resolveHome(env, cwd, homedir);
  assertUsableDir(home, env.SLIPWAY_HOME ? 'SLIPWAY_HOME' : 'the Slipway home (~/.slipway; set SLIPWAY_HOME to move it)');
  const candidates = env.SLIPWAY_CONFIG
    ? [resolve(cwd, env.SLIPWAY_CONFIG)]
    : [join(cwd, 'slipway.yaml'), join(home, 'slipway.yaml')];
  const file = candidates.find((p) => existsSync(p));
  if (env.SLIPWAY_CONFIG && !file) {
    throw new ConfigError(`SLIPWAY_CONFIG points at ${candidates[0]}, which does not exist`, { hint: 'Create it with `slipway init` or unset SLIPWAY_CONFIG.' });
  }
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(`cannot read the configuration ${file}: ${code === 'EISDIR' ? 'it is a directory' : code ?? (error as Error).message}`, {
        hint: env.SLIPWAY_CONFIG ? 'Point SLIPWAY_CONFIG at a readable slipway.yaml file.' : 'Make it a readable file, or remove it.',
      });
    }
    try {
      raw = parse(text) ?? {};
    } catch (error) {
      throw new ConfigError(`${file} is not valid YAML: ${(error as Error).message}`, { hint: 'Fix the YAML syntax at the line shown.' });
    }
  }
  const config = parseConfig(raw, file ?? 'the default configuration');
  for (const remote of [config.git.source, config.git.gitops]) {
    if (remote.url && !/^[a-z][a-z0-9+.-]*:\/\//i.test(remote.url) && !/^[^/]+@[^:]+:/.test(remote.url) && !isAbsolute(remote.url)) {
      remote.url = resolve(file ? resolve(file, '..') : cwd, remote.url);
    }
  }
  // Paths in the file are relative to it; ~ is the home directory.
  const base = file ? resolve(file, '..') : cwd;
  const path = (value: string) => resolve(base, value.replace(/^~(?=\/)/, homedir));
  const { registry, git, flux, argocd, kube } = config;
  if (registry.dockerConfig) registry.dockerConfig = path(registry.dockerConfig);
  if (registry.ca) registry.ca = path(registry.ca);
  for (const remote of [git.source, git.gitops]) {
    if (remote.ssh) {
      remote.ssh.keyFile = path(remote.ssh.keyFile);
      if (remote.ssh.knownHostsFile) remote.ssh.knownHostsFile = path(remote.ssh.knownHostsFile);
    }
    if (remote.https?.token.file) remote.https.token.file = path(remote.https.token.file);
  }
  if (flux.receiver?.token?.file) flux.receiver.token.file = path(flux.receiver.token.file);
  if (argocd.webhookSecret?.file) argocd.webhookSecret.file = path(argocd.webhookSecret.file);
  if (kube?.kubeconfig) kube.kubeconfig = path(kube.kubeconfig);
  if (config.secrets?.sealCert) config.secrets.sealCert = path(config.secrets.sealCert);
  const vaultToken = config.secrets?.externalSecrets?.vault?.token;
  if (vaultToken?.file) vaultToken.file = path(vaultToken.file);
  for (const target of config.notify) {
    const sources = target.type === 'slack' || target.type === 'discord' ? [target.url] : target.type === 'ntfy' ? [target.token] : target.type === 'email' ? [target.smtp.password] : [target.secret];
    for (const source of sources) if (source?.file) source.file = path(source.file);
  }
  for (const { token } of config.server.tokens) if (token.file) token.file = path(token.file);
  const { slack, telegram, discord } = config.chat;
  for (const source of [slack?.signingSecret, slack?.botToken, telegram?.secretToken, telegram?.botToken, discord?.botToken]) if (source?.file) source.file = path(source.file);
  const cache = resolveCache(env, cwd, homedir);
  assertUsableDir(cache, env.SLIPWAY_CACHE ? 'SLIPWAY_CACHE' : 'the cache directory (set SLIPWAY_CACHE to move it)');
  return { ...config, home, cache, ...(file ? { file } : {}), logLevel: env.SLIPWAY_LOG_LEVEL || 'info' };
}

/** Validates a parsed config document; the error names each wrong field. */
export function parseConfig(raw: unknown, source: string) {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path.join('.') || '(top level)';
      if (issue.code === 'unrecognized_keys') return `${field === '(top level)' ? '' : field + ': '}unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      return `${field}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration in ${source}: ${problems.join('; ')}`, { hint: 'Fix the named fields in slipway.yaml (see the README for every field).' });
  }
  return result.data;
}
