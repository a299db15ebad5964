import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsConfig } from '../config/schema.ts';
import { startVaultStandIn, type VaultStandIn } from '../../test/support/vault-api.ts';
import { vaultCheck } from './vault-doctor.ts';

const WRITER = 'hvs.doctor-writer-token-6a1f';
const READER = 'hvs.doctor-reader-token-2c8e';
let vault: VaultStandIn;

beforeAll(async () => {
  vault = await startVaultStandIn({ mounts: ['secret'], tokens: { [WRITER]: { 'secret/data/slipway/*': ['create', 'read', 'update'] }, [READER]: { 'secret/data/slipway/*': ['read'] } } });
});
afterAll(() => vault.close());

const config = (vaultSettings?: Record<string, unknown>) => ({
  defaultEnv: 'prod',
  secrets: SecretsConfig.parse({ backend: 'external-secrets', externalSecrets: { store: { name: 'vault' }, ...(vaultSettings ? { vault: vaultSettings } : {}) } }),
});

describe('slipway doctor\'s vault line', () => {
  it('says the token may write where apps\' values go', async () => {
    expect(await vaultCheck(config({ url: vault.address, token: { env: 'VAULT_TOKEN' } }), { VAULT_TOKEN: WRITER })).toEqual({
      name: 'vault', status: 'ok', detail: `${vault.address}: the token may create, read and update secret/data/slipway/prod/any-app`,
    });
  });

  it('names what a token lacks and the policy to give it, and an unknown token, never showing either', async () => {
    const lacking = await vaultCheck(config({ url: vault.address, token: { env: 'VAULT_TOKEN' } }), { VAULT_TOKEN: READER });
    expect(lacking).toEqual({
      name: 'vault', status: 'fail', detail: `${vault.address}: the token lacks create, update on secret/data/slipway/prod/any-app`,
      fix: 'Give the token a policy with path "secret/data/slipway/*" { capabilities = ["create", "update", "read"] }.',
    });
    const unknown = await vaultCheck(config({ url: vault.address, token: { env: 'VAULT_TOKEN' } }), { VAULT_TOKEN: 'hvs.revoked-token-0000' });
    expect(unknown).toMatchObject({ status: 'fail', detail: 'Vault refused the token: it is unknown, expired or revoked' });
    const unset = await vaultCheck(config({ url: vault.address, token: { env: 'VAULT_TOKEN' } }), {});
    expect(unset).toMatchObject({ status: 'fail', detail: 'secrets.externalSecrets.vault.token: the environment variable VAULT_TOKEN is not set' });
    expect(JSON.stringify([lacking, unknown])).not.toMatch(/hvs\./);
  });

  it('has nothing to say when Slipway does not write to Vault', async () => {
    expect(await vaultCheck(config(), {})).toBeUndefined();
    expect(await vaultCheck({ defaultEnv: 'prod', secrets: SecretsConfig.parse({ backend: 'sops' }) }, {})).toBeUndefined();
  });
});
