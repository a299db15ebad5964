/**
 * The shapes `slipway bootstrap` is made of. Each part of the cluster side (the apps namespace, the
 * Flux Receiver, RBAC, Slipway itself, the registry, dashboards and alerts) is a pure function from
 * the bootstrap settings to a `BootstrapPart`: the objects it adds, grouped into files, and the
 * Secrets it needs. Secrets are never written as they are: the bootstrap encrypts each one (SOPS +
 * age, or a SealedSecret) before it reaches the GitOps repo.
 */
import type { KubeObject } from '../types.ts';

/** A Secret before encryption: what an encrypter turns into a SOPS file or a SealedSecret. */
export interface PlainSecret {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** `Opaque` unless set, e.g. `kubernetes.io/dockerconfigjson`. */
  type?: string;
  /** The values in clear, by key. They exist only in memory and in the encrypted output. */
  stringData: Record<string, string>;
}

/** How Secrets are committed: SOPS with age recipients (Flux decrypts), or sealed for the Sealed Secrets controller. */
export type SecretEncryption =
  | { kind: 'sops'; ageRecipients: string[] }
  | { kind: 'sealed-secrets'; certPem: string };

/** One file of the bootstrap folder: a path relative to it and the objects it holds, in order. */
export interface BootstrapFile {
  path: string;
  objects: KubeObject[];
}

/** A Secret a part needs, and the file (relative to the bootstrap folder) its encrypted form goes to. */
export interface BootstrapSecretFile {
  path: string;
  secret: PlainSecret;
  /** What it is for, in a few words, for the summary the command prints. */
  purpose: string;
}

export interface BootstrapPart {
  /** Short name, e.g. `namespace`, `receiver`, `rbac`, `slipway`, `registry`, `observability`. */
  name: string;
  files: BootstrapFile[];
  secrets: BootstrapSecretFile[];
  /** Lines for the person running the command (e.g. the receiver's webhook path to put in slipway.yaml). */
  notes?: string[];
}

/**
 * The secret values a bootstrap uses, by name (`flux-receiver-token`, `registry-password`, …): the
 * ones kept from an earlier run, else fresh random ones. Parts ask for them; they never invent their own.
 */
export interface SecretValues {
  /** The value named `name`: the kept one, else a new random one of `bytes` bytes (hex), kept for the next run. */
  get(name: string, bytes?: number): string;
}
