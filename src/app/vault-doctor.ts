import { vaultCapabilities } from '../adapters/vault/kv-v2.ts';
import { readSecret, type ResolvedConfig } from '../config/index.ts';
import { remoteKeyFor } from '../render/external-secret.ts';
import type { Check } from './doctor.ts';

const NEEDED = ['create', 'read', 'update'];

/**
 * With apps' secrets written to Vault: the token is valid and may create, read and update where an
 * app's values go (the remote path with a sample app, which is what a policy's glob has to cover).
 * Undefined when Slipway does not write to Vault.
 */
export async function vaultCheck(config: Pick<ResolvedConfig, 'secrets' | 'defaultEnv'>, env: NodeJS.ProcessEnv): Promise<Check | undefined> {
  const external = config.secrets?.backend === 'external-secrets' ? config.secrets.externalSecrets : undefined;
  if (!external?.vault) return undefined;
  const { url, mount } = external.vault;
  const path = `${mount}/data/${remoteKeyFor(external.remotePath, config.defaultEnv, 'any-app')}`;
  try {
    const token = readSecret(external.vault.token, 'secrets.externalSecrets.vault.token', env);
    const granted = (await vaultCapabilities({ url, token }, [path]))[path] ?? [];
    const missing = NEEDED.filter((capability) => !granted.includes(capability) && !granted.includes('root'));
    if (missing.length === 0) return { name: 'vault', status: 'ok', detail: `${url}: the token may create, read and update ${path}` };
    const glob = `${mount}/data/${external.remotePath.replaceAll('{env}', '*').replaceAll('{app}', '*').replace(/\*.*$/, '*')}`;
    return { name: 'vault', status: 'fail', detail: `${url}: the token lacks ${missing.join(', ')} on ${path}`, fix: `Give the token a policy with path "${glob}" { capabilities = ["create", "update", "read"] }.` };
  } catch (error) {
    const e = error as { message: string; hint?: string };
    return { name: 'vault', status: 'fail', detail: e.message, fix: e.hint ?? 'Check secrets.externalSecrets.vault in slipway.yaml.' };
  }
}
