import { InputError } from '../../domain/index.ts';
import type { ImageRef } from '../../ports/index.ts';

/**
 * Parses `host[:port]/repository[:tag][@sha256:…]`. The host is required: Slipway's bases and
 * targets live in the homelab's registry, never in an implied default one.
 * @example parseRegistryRef('127.0.0.1:5000/base/node:24') // { registry: '127.0.0.1:5000', repository: 'base/node', tag: '24' }
 */
export function parseRegistryRef(text: string): ImageRef {
  const match = /^([A-Za-z0-9.-]+(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?)\/([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(text);
  const host = match?.[1];
  if (!match || !host || !(host.includes('.') || host.includes(':') || host.startsWith('localhost'))) {
    throw new InputError(`image reference ${JSON.stringify(text)} is not host/repository[:tag][@digest]`, { hint: "Write it in full, e.g. '192.168.1.10:5000/base/node:24', or use 'oci:<dir>:<tag>'." });
  }
  return { registry: host, repository: match[2] as string, ...(match[3] ? { tag: match[3] } : {}), ...(match[4] ? { digest: match[4] } : {}) };
}
