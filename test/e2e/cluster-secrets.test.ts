import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateObjects } from '../../src/render/validate/index.ts';
import { runCli, tempHome } from '../support/cli.ts';
import { startClusterLab, type ClusterLab } from '../support/cluster-lab.ts';
import { expectNoClearSecrets } from '../support/clear-secrets.ts';
import { ageKeygen, openSops } from '../support/sops-check.ts';
import { startVaultStandIn, type VaultStandIn } from '../support/vault-api.ts';

const TOKEN = 'receiver-hmac-token-for-secret-tests';
const GIT_TOKEN = 'gitops-token-for-secret-tests-3e9a';
const VAULT_TOKEN = `hvs.${randomBytes(12).toString('hex')}`;
let lab: ClusterLab;
let vault: VaultStandIn;

beforeAll(async () => {
  lab = await startClusterLab({ receiverToken: TOKEN, gitToken: GIT_TOKEN });
  vault = await startVaultStandIn({ mounts: ['secret'], tokens: { [VAULT_TOKEN]: { 'secret/data/slipway/*': ['create', 'read', 'update'] } } });
});
afterAll(async () => {
  await Promise.all([lab?.stop(), vault?.close()]);
});

/** A cluster home whose slipway.yaml ends with `secrets` (lines). */
async function home(secrets: string[]) {
  const opts = await lab.home('slipway-secrets-', secrets);
  return { ...opts, env: { ...opts.env, VAULT_TOKEN } };
}

/** Runs `args` while Flux is played for receiver call `call`. */
async function shipping(call: number, args: string[], opts: Awaited<ReturnType<typeof home>>) {
  const stop = lab.playFlux(call);
  try {
    const result = await runCli(args, opts);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    return result;
  } finally {
    stop();
  }
}

const SECRET_FILE = 'kubernetes/apps/dynamic/pomodoro/app/env-secret.yaml';
const show = (gitops: string, path: string) => execFileSync('git', ['--git-dir', gitops, 'show', `main:${path}`], { encoding: 'utf8' });

describe('an app\'s secrets on the cluster target', () => {
  it('with SOPS: `slipway secret set` commits env-secret.yaml that age opens to the value, listed beside the manifests, and the value is nowhere in clear', { timeout: 240_000 }, async () => {
    lab.receiver.accepted.length = 0;
    const key = ageKeygen(join(tempHome().cwd));
    const opts = await home(['secrets:', '  backend: sops', `  ageRecipients: [${key.recipient}]`]);
    const value = `sk-live-${randomBytes(18).toString('hex')}`;
    writeFileSync(join(opts.cwd, 'api-key.txt'), value);
    const outputs = [await shipping(0, ['create', 'a pomodoro timer', '--name', 'pomodoro', '--json'], opts)];
    outputs.push(await shipping(1, ['secret', 'set', 'pomodoro', 'API_KEY', '--from-file', 'api-key.txt'], opts));
    const opened = openSops(show(opts.gitops, SECRET_FILE), key.keyFile);
    expect(opened.macMatches).toBe(true);
    expect(opened.document['stringData']).toEqual({ API_KEY: value });
    expect(parse(show(opts.gitops, 'kubernetes/apps/dynamic/pomodoro/app/kustomization.yaml')).resources).toContain('env-secret.yaml');
    const clone = join(opts.cwd, 'gitops-clone');
    execFileSync('git', ['clone', '--quiet', opts.gitops, clone]);
    expectNoClearSecrets(clone, [value]);
    expectNoClearSecrets(opts.home, [value]);
    for (const output of outputs) expect(`${output.stdout}${output.stderr}`).not.toContain(value);
  });

  it('with External Secrets and Vault: the value goes to Vault and the ExternalSecret committed references it', { timeout: 240_000 }, async () => {
    lab.receiver.accepted.length = 0;
    const key = ageKeygen(join(tempHome().cwd));
    const opts = await home([
      'secrets:', '  backend: external-secrets', `  ageRecipients: [${key.recipient}]`, '  externalSecrets:', '    store: { name: vault }',
      '    remotePath: slipway/{app}', '    vault:', `      url: ${vault.address}`, '      token: { env: VAULT_TOKEN }',
    ]);
    const value = `vault-value-${randomBytes(18).toString('hex')}`;
    writeFileSync(join(opts.cwd, 'api-key.txt'), value);
    const outputs = [await shipping(0, ['create', 'a pomodoro timer', '--name', 'pomodoro', '--json'], opts)];
    outputs.push(await shipping(1, ['secret', 'set', 'pomodoro', 'API_KEY', '--from-file', 'api-key.txt'], opts));
    expect(vault.versions('secret', 'slipway/pomodoro').at(-1)!.data).toEqual({ API_KEY: value });
    const external = parse(show(opts.gitops, SECRET_FILE));
    expect(validateObjects([external])).toEqual([]);
    expect(external.spec.data).toEqual([{ secretKey: 'API_KEY', remoteRef: { key: 'slipway/pomodoro', property: 'API_KEY' } }]);
    const clone = join(opts.cwd, 'gitops-clone');
    execFileSync('git', ['clone', '--quiet', opts.gitops, clone]);
    expectNoClearSecrets(clone, [value, VAULT_TOKEN]);
    expectNoClearSecrets(opts.home, [value, VAULT_TOKEN]);
    for (const output of outputs) expect(`${output.stdout}${output.stderr}`).not.toMatch(new RegExp(`${value}|${VAULT_TOKEN.replace('.', '\\.')}`));
  });
});
