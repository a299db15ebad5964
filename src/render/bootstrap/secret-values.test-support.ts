import { randomBytes } from 'node:crypto';
import type { SecretValues } from './types.ts';

/** SecretValues kept in memory for tests: a value is made once (random, hex) and the same on every later ask. */
export class MemorySecretValues implements SecretValues {
  readonly values = new Map<string, string>();
  get(name: string, bytes = 32): string {
    let value = this.values.get(name);
    if (value === undefined) {
      value = randomBytes(bytes).toString('hex');
      this.values.set(name, value);
    }
    return value;
  }
}
