import { readFileSync } from 'node:fs';
import { ConfigError } from '../domain/errors.ts';
import type { SecretSource } from './schema.ts';

/**
 * Reads a secret named in slipway.yaml from the environment or a file. The value is never logged
 * or echoed; errors name the source, not the value.
 */
export function readSecret(source: SecretSource, field: string, env: Record<string, string | undefined>): string {
  if (source.env) {
    const value = env[source.env];
    if (!value) throw new ConfigError(`${field}: the environment variable ${source.env} is not set`, { hint: `Export ${source.env} with the secret before running Slipway.` });
    return value;
  }
  try {
    const value = readFileSync(source.file!, 'utf8').trim();
    if (!value) throw new Error('the file is empty');
    return value;
  } catch (error) {
    throw new ConfigError(`${field}: cannot read the secret file ${source.file}: ${(error as Error).message.split(':')[0]}`, { hint: 'Check the path and that Slipway may read it.' });
  }
}
