import { resolve } from 'node:path';
import type { BlobSource, ImageRef, ImageRegistry, PushBlobResult } from '../../ports/index.ts';
import { OciLayoutStore } from '../oci/index.ts';

/** A blob to push; `file` is set when its bytes sit in a local file (a cached layer). */
export interface LocalBlobSource extends BlobSource {
  file?: string;
}

/** Where a built image goes: a registry repository or an OCI layout directory. */
export interface ImageTarget {
  /** Where, for messages. */
  readonly name: string;
  /** Set for registry targets: a base in the same registry can be mounted from this repository's host. */
  readonly location?: { registry: string; repository: string };
  /** The tag the final manifest or index gets. */
  readonly tag: string;
  pushBlob(blob: LocalBlobSource, options?: { mountFrom?: string; signal?: AbortSignal }): Promise<PushBlobResult>;
  /** Whether the target holds the manifest with this digest (targets that can tell cheaply). */
  hasManifest?(digest: string, signal?: AbortSignal): Promise<boolean>;
  /** Stores a manifest or index under a tag or its digest; returns the digest (`digest`: when known). */
  putManifest(reference: string, mediaType: string, bytes: Buffer, signal?: AbortSignal, digest?: string): Promise<string>;
  /** The pinned name of the image with this digest. */
  imageName(digest: string): string;
}

/** Pushes through the {@link ImageRegistry} port. */
export class RegistryTarget implements ImageTarget {
  readonly name: string;
  readonly location: { registry: string; repository: string };
  readonly tag: string;
  private readonly registry: ImageRegistry;

  constructor(registry: ImageRegistry, ref: ImageRef) {
    this.registry = registry;
    this.location = { registry: ref.registry, repository: ref.repository };
    this.tag = ref.tag ?? 'latest';
    this.name = `${ref.registry}/${ref.repository}:${this.tag}`;
  }

  pushBlob(blob: LocalBlobSource, options: { mountFrom?: string; signal?: AbortSignal } = {}): Promise<PushBlobResult> {
    return this.registry.pushBlob(this.location.registry, this.location.repository, blob, options);
  }

  async hasManifest(digest: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.registry.headManifest(this.location.registry, this.location.repository, digest, signal)) !== undefined;
  }

  putManifest(reference: string, mediaType: string, bytes: Buffer, signal?: AbortSignal, digest?: string): Promise<string> {
    return this.registry.putManifest(this.location.registry, this.location.repository, reference, { mediaType, bytes, ...(digest ? { digest } : {}) }, signal);
  }

  imageName(digest: string): string {
    return `${this.location.registry}/${this.location.repository}@${digest}`;
  }
}

/** Writes into an OCI layout directory; "uploading" is copying into `blobs/`. */
export class LayoutTarget implements ImageTarget {
  readonly name: string;
  readonly tag: string;
  readonly store: OciLayoutStore;

  constructor(dir: string, tag: string) {
    this.store = new OciLayoutStore(resolve(dir));
    this.tag = tag;
    this.name = `oci:${this.store.dir}:${tag}`;
  }

  async pushBlob(blob: LocalBlobSource, options: { signal?: AbortSignal } = {}): Promise<PushBlobResult> {
    if (await this.store.hasBlob(blob.digest)) return { uploaded: false, mounted: false, bytes: 0 };
    if (blob.file) await this.store.putFile(blob.digest, blob.file);
    else await this.store.putStream(blob.digest, blob.size, blob.open(), options.signal);
    return { uploaded: true, mounted: false, bytes: blob.size };
  }

  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const descriptor = await this.store.putBytes(mediaType, bytes);
    if (reference !== descriptor.digest) await this.store.tag(reference, descriptor);
    return descriptor.digest;
  }

  imageName(digest: string): string {
    return `oci:${this.store.dir}@${digest}`;
  }
}
