import type { RenderedFile } from '../render/types.ts';

/** How an app's Secret reaches the cluster (config `secrets.backend`). */
export type AppSecretBackend = 'sops' | 'sealed-secrets' | 'external-secrets';

/** The Secret `<app>-env` an app reads its secrets from, before it is encrypted or referenced. */
export interface AppSecretInput {
  app: string;
  namespace: string;
  env: string;
  /** Values in clear, by name: they exist only in memory and in the encrypted output. */
  values: Record<string, string>;
  labels: Record<string, string>;
}

/** Renders the files for the GitOps repo that give the cluster the app's Secret `<app>-env`. */
export type RenderAppSecret = (input: AppSecretInput, backend: AppSecretBackend) => Promise<RenderedFile[]>;
