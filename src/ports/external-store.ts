import type { External } from '../domain/external.ts';

/** The services outside the cluster, per environment, as `slipway external add` recorded them. */
export interface ExternalStore {
  /** Records an external (replacing one of the same name in that environment). */
  put(env: string, external: External): Promise<void>;
  get(env: string, name: string): Promise<External | undefined>;
  /** An environment's externals, by name. */
  list(env: string): Promise<External[]>;
  /** True when it existed and is gone. */
  remove(env: string, name: string): Promise<boolean>;
}
