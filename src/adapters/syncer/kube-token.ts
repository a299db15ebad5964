import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../domain/errors.ts';
import type { KubeAccess } from '../kube/index.ts';

/**
 * The bearer token to send now: the token file's current content when there is one (kubelet
 * rotates projected ServiceAccount tokens, and a refresh can come hours after start), else the
 * fixed token.
 *
 * @example
 * const token = await currentToken(await kubeAccessInCluster({ host, port })); // re-read each call
 */
export async function currentToken(access: KubeAccess): Promise<string | undefined> {
  if (access.tokenFile) {
    try {
      return (await readFile(access.tokenFile, 'utf8')).trim();
    } catch (error) {
      if (!access.token) throw new ConfigError(`cannot read the token file ${access.tokenFile}`, { hint: 'Check the path and its permissions.', cause: error });
    }
  }
  return access.token;
}
