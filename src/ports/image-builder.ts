import type { ImageRef } from './image-registry.ts';

export type Platform = `${string}/${string}`;

export interface BuildRequest {
  /** Directory whose files become the app layer. */
  contextDir: string;
  /** Where the image goes: a registry reference, or an OCI layout directory. */
  target: { kind: 'registry'; ref: ImageRef } | { kind: 'oci-layout'; dir: string; tag: string };
  /** Base image reference (registry, or `oci:<dir>:<tag>`). */
  base: string;
  platforms: Platform[];
  /** Path inside the image where the app's files go. */
  workdir: string;
  entrypoint: string[];
  cmd?: string[];
  env?: Record<string, string>;
  exposedPorts?: number[];
  user?: string;
  labels?: Record<string, string>;
  /** Fixed instant for file times and `created`, from SOURCE_DATE_EPOCH or a constant. */
  sourceDateEpoch?: number;
  insecure?: boolean;
  /**
   * Where the context is committed, and the run that asks for the image: a builder that builds
   * elsewhere (a Job in the cluster) reads the source repo at this commit, never this machine's folder.
   */
  source?: { app: string; runId: string; url: string; commit: string; path: string };
  /** Lines the build prints as it works (a cluster build's log), for the run's events. */
  onLog?: (line: string) => void;
}

export interface BuildResult {
  image: string;
  digest: string;
  platforms: string[];
  layers: number;
  bytesUploaded: number;
  blobsSkipped: number;
}

/** Builds an image from a directory and publishes it. */
export interface ImageBuilder {
  build(request: BuildRequest, signal?: AbortSignal): Promise<BuildResult>;
}
