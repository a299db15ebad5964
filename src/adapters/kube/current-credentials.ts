import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../domain/errors.ts';
import type { KubeAccess } from './kube-access.ts';

/**
 * The bearer token to send now: the token file's current content when there is one (kubelet
 * rotates projected ServiceAccount tokens, and a refresh can come hours after start), else the
 * fixed token.
 *
 * @example
 * const token = await currentToken(await kubeAccessInCluster({ host, port })); // re-read each call
 */
export async function currentToken(access: KubeAccess, signal?: AbortSignal): Promise<string | undefined> {
  if (access.exec) return (await access.exec.get(signal)).token;
  if (access.tokenFile) {
    try {
      return (await readFile(access.tokenFile, 'utf8')).trim();
    } catch (error) {
      if (!access.token) throw new ConfigError(`cannot read the token file ${access.tokenFile}`, { hint: 'Check the path and its permissions.', cause: error });
    }
  }
  return access.token;
}

/**
 * The client certificate and key to present now: the kubeconfig's, or what the credential plugin gave.
 *
 * @example
 * const { cert, key } = await currentClientCertificate(access);
 */
export async function currentClientCertificate(access: KubeAccess, signal?: AbortSignal): Promise<{ cert?: string; key?: string }> {
  if (access.exec) {
    const credential = await access.exec.get(signal);
    return { ...(credential.clientCert ? { cert: credential.clientCert } : {}), ...(credential.clientKey ? { key: credential.clientKey } : {}) };
  }
  return { ...(access.clientCert ? { cert: access.clientCert } : {}), ...(access.clientKey ? { key: access.clientKey } : {}) };
}
