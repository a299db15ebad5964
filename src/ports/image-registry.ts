import type { Readable } from 'node:stream';

/** A parsed image reference: `registry/repository[:tag][@digest]`. */
export interface ImageRef {
  /** Host[:port], e.g. `registry.k8s-lab.dev` or `127.0.0.1:5000`. */
  registry: string;
  /** Repository path, e.g. `dynamic-apps/pomodoro`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

/** A blob to upload: its digest and size are known before the upload starts. */
export interface BlobSource {
  digest: string;
  size: number;
  /** Opens a fresh stream of the blob's bytes (may be called again on retry). */
  open(): Readable;
}

export interface PushBlobResult {
  /** False when the registry already had it (HEAD) or it was mounted from another repository. */
  uploaded: boolean;
  mounted: boolean;
  bytes: number;
}

export interface ManifestResponse {
  mediaType: string;
  digest: string;
  bytes: Buffer;
}

/** The OCI distribution API, as much of it as Slipway needs. */
export interface ImageRegistry {
  hasBlob(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<boolean>;
  getBlob(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<Readable>;
  /** Uploads a blob unless present; `mountFrom` names a repository on the same registry to mount it from. */
  pushBlob(registry: string, repository: string, blob: BlobSource, options?: { mountFrom?: string; signal?: AbortSignal }): Promise<PushBlobResult>;
  /** Fetches a manifest or index by tag or digest; the digest is verified. */
  getManifest(registry: string, repository: string, reference: string, signal?: AbortSignal): Promise<ManifestResponse>;
  /** What a tag or digest names now, without the body (undefined: no such manifest; `digest` undefined: the registry did not say). */
  headManifest(registry: string, repository: string, reference: string, signal?: AbortSignal): Promise<{ digest: string | undefined; mediaType: string; size: number } | undefined>;
  /**
   * Stores a manifest under a tag or its digest; returns its digest. `manifest.digest`, when the
   * caller knows it, saves hashing the bytes (the registry's Docker-Content-Digest is still checked).
   */
  putManifest(registry: string, repository: string, reference: string, manifest: { mediaType: string; bytes: Buffer; digest?: string }, signal?: AbortSignal): Promise<string>;
}

/**
 * What a registry holds, and removing what is no longer wanted: the distribution API's catalog, tag
 * lists and manifest DELETE (the registry frees the blobs in its own garbage collection).
 */
export interface RegistryCatalog {
  /** Every repository on the registry, sorted as it lists them. */
  listRepositories(registry: string, signal?: AbortSignal): Promise<string[]>;
  /** The tags of a repository; [] when it has none or does not exist. */
  listTags(registry: string, repository: string, signal?: AbortSignal): Promise<string[]>;
  /** Deletes a manifest by digest (every tag naming it goes with it); false when it was already gone. */
  deleteManifest(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<boolean>;
}
