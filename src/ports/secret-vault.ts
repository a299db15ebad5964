/**
 * Where Slipway keeps the values of apps' secrets, encrypted at rest. On the embedded default it is
 * what the app's process or container gets as environment; on a cluster it is what the committed
 * Secret is rendered from again (a SOPS file or SealedSecret cannot be read back).
 */
export interface SecretVault {
  put(app: string, env: string, name: string, value: string): Promise<void>;
  /** The value, or undefined when the secret is not set. */
  get(app: string, env: string, name: string): Promise<string | undefined>;
  /** The names set for the app in `env`, sorted. */
  names(app: string, env: string): Promise<string[]>;
  /** True when it was there. */
  remove(app: string, env: string, name: string): Promise<boolean>;
  /** Every value set for the app in `env`, by name. */
  values(app: string, env: string): Promise<Record<string, string>>;
  /** Forgets every secret of the app in `env` (the app is deleted). */
  removeAll(app: string, env: string): Promise<void>;
}
