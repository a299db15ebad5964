import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { NotFoundError } from '../../domain/errors.ts';
import type { BlobSource, ImageRegistry, ManifestResponse, PushBlobResult } from '../../ports/index.ts';
import { sha256Digest } from '../oci/index.ts';

/**
 * An in-memory {@link ImageRegistry} for the builder's tests: it records every call, so tests can
 * tell a HEAD-skip from a mount from an upload. Not for production use.
 */
export class InMemoryRegistry implements ImageRegistry {
  readonly blobs = new Map<string, Map<string, Buffer>>();
  readonly manifests = new Map<string, Map<string, ManifestResponse>>();
  readonly calls: string[] = [];
  /** While set, manifest HEADs are recorded at once but answered only when it resolves. */
  holdManifestHeads: Promise<void> | undefined;
  /** While set, the first request whose call it matches fails with its error (after `delayMs`). */
  failNext: { call: RegExp; error: Error; delayMs?: number } | undefined;

  /** Records a call, and fails it when {@link failNext} names it. */
  private async record(call: string): Promise<void> {
    this.calls.push(call);
    const fault = this.failNext;
    if (!fault || !fault.call.test(call)) return;
    this.failNext = undefined;
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    throw fault.error;
  }

  private repo<T>(map: Map<string, Map<string, T>>, registry: string, repository: string): Map<string, T> {
    const key = `${registry}/${repository}`;
    let found = map.get(key);
    if (!found) map.set(key, (found = new Map()));
    return found;
  }

  async hasBlob(registry: string, repository: string, digest: string): Promise<boolean> {
    await this.record(`HEAD ${repository} ${digest.slice(7, 19)}`);
    return this.repo(this.blobs, registry, repository).has(digest);
  }

  async getBlob(registry: string, repository: string, digest: string): Promise<Readable> {
    await this.record(`GET ${repository} ${digest.slice(7, 19)}`);
    const bytes = this.repo(this.blobs, registry, repository).get(digest);
    if (!bytes) throw new NotFoundError(`blob ${digest} not in ${repository}`);
    return Readable.from([bytes]);
  }

  async pushBlob(registry: string, repository: string, blob: BlobSource, options: { mountFrom?: string } = {}): Promise<PushBlobResult> {
    const blobs = this.repo(this.blobs, registry, repository);
    await this.record(`CHECK ${repository} ${blob.digest.slice(7, 19)}`);
    if (blobs.has(blob.digest)) return { uploaded: false, mounted: false, bytes: 0 };
    const from = options.mountFrom ? this.repo(this.blobs, registry, options.mountFrom).get(blob.digest) : undefined;
    if (from) {
      this.calls.push(`MOUNT ${repository} ${blob.digest.slice(7, 19)} from ${options.mountFrom}`);
      blobs.set(blob.digest, from);
      return { uploaded: false, mounted: true, bytes: 0 };
    }
    const bytes = await buffer(blob.open());
    if (sha256Digest(bytes) !== blob.digest || bytes.length !== blob.size) throw new Error(`blob ${blob.digest} arrived with other content`);
    this.calls.push(`PUT ${repository} ${blob.digest.slice(7, 19)}`);
    blobs.set(blob.digest, bytes);
    return { uploaded: true, mounted: false, bytes: bytes.length };
  }

  async getManifest(registry: string, repository: string, reference: string): Promise<ManifestResponse> {
    await this.record(`GET-MANIFEST ${repository} ${reference.startsWith('sha256:') ? reference.slice(7, 19) : reference}`);
    const found = this.repo(this.manifests, registry, repository).get(reference);
    if (!found) throw new NotFoundError(`manifest ${reference} not in ${repository}`);
    return found;
  }

  async headManifest(registry: string, repository: string, reference: string): Promise<{ digest: string | undefined; mediaType: string; size: number } | undefined> {
    await this.record(`HEAD-MANIFEST ${repository} ${reference.startsWith('sha256:') ? reference.slice(7, 19) : reference}`);
    await this.holdManifestHeads;
    const found = this.repo(this.manifests, registry, repository).get(reference);
    return found ? { digest: found.digest, mediaType: found.mediaType, size: found.bytes.length } : undefined;
  }

  async putManifest(registry: string, repository: string, reference: string, manifest: { mediaType: string; bytes: Buffer }): Promise<string> {
    const digest = sha256Digest(manifest.bytes);
    const entry = { mediaType: manifest.mediaType, digest, bytes: manifest.bytes };
    await this.record(`MANIFEST ${repository} ${reference.startsWith('sha256:') ? reference.slice(7, 19) : reference}`);
    this.repo(this.manifests, registry, repository).set(reference, entry);
    this.repo(this.manifests, registry, repository).set(digest, entry);
    return digest;
  }
}
