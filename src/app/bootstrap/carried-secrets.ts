import { readFileSync } from 'node:fs';
import { readSecret, type ResolvedConfig, type SecretSource } from '../../config/index.ts';
import { CARRIED_SECRETS, type CarriedSecret } from '../../render/bootstrap/index.ts';

/**
 * The secrets of this machine's slipway.yaml that Slipway in the cluster needs too (git tokens, the
 * model's API key, the signed intake's secret, a registry login), read from their `{ env | file }` so
 * the bootstrap can put them in Slipway's encrypted Secret. One that cannot be read is left out: the
 * bootstrap's notes say which, and the pod runs without it.
 * @example carriedSecrets(config, process.env)['git-gitops-token'] // the GitOps repo's HTTPS token, if set
 */
export function carriedSecrets(config: ResolvedConfig, env: Record<string, string | undefined>): Partial<Record<CarriedSecret, string>> {
  const sources: Array<[CarriedSecret, SecretSource | undefined, string]> = [
    [CARRIED_SECRETS.gitSourceToken, config.git.source.https?.token, 'git.source.https.token'],
    [CARRIED_SECRETS.gitGitopsToken, config.git.gitops.https?.token, 'git.gitops.https.token'],
    [CARRIED_SECRETS.llmApiKey, config.llm?.apiKey, 'llm.apiKey'],
    [CARRIED_SECRETS.hookSecret, config.server.hookSecret, 'server.hookSecret'],
  ];
  const carried: Partial<Record<CarriedSecret, string>> = {};
  for (const [key, source, field] of sources) {
    if (source === undefined) continue;
    const value = readable(() => readSecret(source, field, env));
    if (value !== undefined) carried[key] = value;
  }
  // The bootstrap's own registry brings its own login; another registry's comes from this machine.
  const { dockerConfig } = config.registry;
  if (dockerConfig !== undefined && !config.bootstrap.registry.enabled) {
    const login = readable(() => readFileSync(dockerConfig, 'utf8'));
    if (login !== undefined) carried[CARRIED_SECRETS.registryDockerConfig] = login;
  }
  return carried;
}

function readable(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
