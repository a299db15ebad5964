import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ConflictError, ExternalServiceError } from '../../domain/errors.ts';
import { closedPort } from '../../../test/support/ports.ts';
import { startVaultStandIn, type VaultStandIn } from '../../../test/support/vault-api.ts';
import { readVaultKv, writeVaultKv } from './kv-v2.ts';

const WRITER = 'hvs.writer-token-4f7a9c2e1b';
const READER = 'hvs.reader-token-8d3b6a0f5c';
let vault: VaultStandIn;

beforeAll(async () => {
  vault = await startVaultStandIn({
    mounts: ['secret'],
    tokens: { [WRITER]: { 'secret/data/slipway/*': ['create', 'read', 'update'] }, [READER]: { 'secret/data/slipway/*': ['read'] } },
  });
});
afterAll(() => vault.close());

const target = (token = WRITER) => ({ url: vault.address, token, mount: 'secret' });

describe('writeVaultKv', () => {
  it('creates the secret (cas 0), then adds a version keeping keys someone else put there', async () => {
    expect(await writeVaultKv(target(), 'slipway/prod/notes', { API_KEY: 'first-value-1' })).toEqual({ version: 1, changed: true });
    vault.put('secret', 'slipway/prod/notes', { API_KEY: 'first-value-1', BY_HAND: 'kept-value-2' });
    expect(await writeVaultKv(target(), 'slipway/prod/notes', { API_KEY: 'second-value-3', OTHER: 'other-value-4' })).toEqual({ version: 3, changed: true });
    expect(vault.versions('secret', 'slipway/prod/notes').map((v) => v.data)).toEqual([
      { API_KEY: 'first-value-1' },
      { API_KEY: 'first-value-1', BY_HAND: 'kept-value-2' },
      { API_KEY: 'second-value-3', BY_HAND: 'kept-value-2', OTHER: 'other-value-4' },
    ]);
    const writes = vault.received.filter((r) => r.method === 'POST').map((r) => JSON.parse(r.body) as { options: { cas: number } });
    expect(writes.map((w) => w.options.cas)).toEqual([0, 2]);
    expect(vault.received.every((r) => r.headers['x-vault-token'] === WRITER)).toBe(true);
  });

  it('writes nothing when Vault already holds the values', async () => {
    const before = vault.versions('secret', 'slipway/prod/notes').length;
    expect(await writeVaultKv(target(), 'slipway/prod/notes', { API_KEY: 'second-value-3' })).toEqual({ version: before, changed: false });
    expect(vault.versions('secret', 'slipway/prod/notes')).toHaveLength(before);
    expect(await readVaultKv(target(), 'slipway/prod/notes')).toMatchObject({ version: before, data: { API_KEY: 'second-value-3' } });
  });

  it('does not overwrite a version another client wrote meanwhile (check-and-set), and says to run again', async () => {
    vault.putBeforeNextWrite('secret', 'slipway/prod/notes', { API_KEY: 'second-value-3', RACER: 'raced-value-6' });
    const before = vault.versions('secret', 'slipway/prod/notes').length;
    const error = await writeVaultKv(target(), 'slipway/prod/notes', { API_KEY: 'lost-value-7' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe('Vault: secret/data/slipway/prod/notes changed while Slipway was writing to it');
    expect(vault.versions('secret', 'slipway/prod/notes').map((v) => v.data).slice(before)).toEqual([{ API_KEY: 'second-value-3', RACER: 'raced-value-6' }]);
    expect((await writeVaultKv(target(), 'slipway/prod/notes', { API_KEY: 'lost-value-7' })).changed).toBe(true);
    expect(vault.versions('secret', 'slipway/prod/notes').at(-1)!.data).toEqual({ API_KEY: 'lost-value-7', RACER: 'raced-value-6' });
  });

  it('explains a 403 by the capability and path the token lacks, never showing the token', async () => {
    const error = await writeVaultKv(target(READER), 'slipway/prod/blog', { API_KEY: 'never-written-5' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('Vault refused: the token lacks create/update on secret/data/slipway/prod/blog');
    expect((error as ConfigError).hint).toMatch(/path "secret\/data\/slipway\/prod\/blog" \{ capabilities = \["create", "update", "read"\] \}/);
    const unknown = await readVaultKv(target('hvs.nobody-knows-this-one'), 'slipway/prod/blog').catch((e: unknown) => e);
    expect((unknown as Error).message).toBe('Vault refused: the token lacks read on secret/data/slipway/prod/blog');
    for (const e of [error, unknown]) expect(JSON.stringify({ message: (e as Error).message, hint: (e as ConfigError).hint })).not.toMatch(/hvs\./);
    expect(vault.versions('secret', 'slipway/prod/blog')).toEqual([]);
  });

  it('says when no KV engine is mounted there, and when Vault cannot be reached', async () => {
    const wrongMount = await readVaultKv({ ...target(), mount: 'kv' }, 'slipway/prod/notes').catch((e: unknown) => e);
    expect(wrongMount).toBeInstanceOf(ExternalServiceError);
    expect((wrongMount as ExternalServiceError).hint).toMatch(/KV version 2 engine is mounted at kv/);
    const closed = await readVaultKv({ ...target(), url: `http://127.0.0.1:${await closedPort()}` }, 'slipway/prod/notes').catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(ExternalServiceError);
    expect((closed as Error).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+ to read secret\/data\/slipway\/prod\/notes \(ECONNREFUSED\)/);
    expect((closed as Error).message).not.toContain(WRITER);
  });
});
