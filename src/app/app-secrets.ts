/**
 * An app's Secret `<app>-env` on its way to the cluster, as `secrets.backend` says: a SOPS file (to
 * the age recipients the GitOps repo's `.sops.yaml` names for its path, else slipway.yaml's), a
 * SealedSecret, or an ExternalSecret referencing the values in a (Cluster)SecretStore — written to
 * Vault's KV v2 engine first when Slipway is given a token for it. No value leaves here in clear.
 */
import type { Logger } from 'pino';
import { parse } from 'yaml';
import { encryptSecret, parseConfiguredAgeRecipient, readSecretEncryption, secretValueDigest, SOPS_ENCRYPTED_REGEX, VALUE_DIGEST_ANNOTATION } from '../adapters/secrets/index.ts';
import { sopsCreationRule } from '../adapters/secrets/sops-rules.ts';
import { writeVaultKv } from '../adapters/vault/kv-v2.ts';
import type { ExternalSecretsConfig, ResolvedConfig, SecretsConfig } from '../config/schema.ts';
import { readSecret } from '../config/secrets.ts';
import { appSecretName } from '../domain/app-config.ts';
import { ConfigError } from '../domain/errors.ts';
import type { AppSecretBackend, AppSecretInput, RenderAppSecret } from '../ports/app-secrets.ts';
import type { GitRepo } from '../ports/git-repo.ts';
import type { PlainSecret, SecretEncryption } from '../render/bootstrap/types.ts';
import { remoteKeyFor, renderExternalSecret } from '../render/external-secret.ts';
import { appPaths } from '../render/kustomization.ts';
import type { RenderSettings } from '../render/settings.ts';
import type { RenderedFile } from '../render/types.ts';
import { assertValid } from '../render/validate/index.ts';
import { RENDERED_HEADER, toYaml } from '../render/yaml-writer.ts';
import { encryptSecretFiles } from './bootstrap/secret-files.ts';

/** Where the SOPS rules of a GitOps repo are: its root, as sops looks for them. */
export const SOPS_CONFIG_FILE = '.sops.yaml';

/** The app's Secret file in its manifests folder, whatever the backend (a Secret, SealedSecret or ExternalSecret). */
export const APP_SECRET_FILE = 'env-secret.yaml';

/**
 * The repo path of an app's Secret file: beside its other manifests, listed in their kustomization.
 * @example appSecretPath('notes', settings) // 'kubernetes/apps/dynamic/notes/app/env-secret.yaml'
 */
export function appSecretPath(app: string, settings: RenderSettings): string {
  return `${appPaths(app, settings).manifests}/${APP_SECRET_FILE}`;
}

/**
 * What the composition root hands to `appConfigSources` on the cluster target: the renderer, with
 * the file in each environment's manifests folder, and the configured backend. Nothing on the local
 * target (values reach the app as environment) or without `secrets:`.
 * @example appConfigSources({ apps, vault, defaultEnv, target, ...appSecretParts(config, env.vars, gitopsRepo, envs.settingsFor, logger) })
 */
export function appSecretParts(
  config: Pick<ResolvedConfig, 'target' | 'secrets'>,
  env: Record<string, string | undefined>,
  gitops: Pick<GitRepo, 'readFile'>,
  settingsFor: (env: string) => RenderSettings,
  logger?: Pick<Logger, 'info'>,
): { renderSecret?: RenderAppSecret; backend?: AppSecretBackend } {
  if (config.target !== 'cluster' || config.secrets === undefined) return {};
  const renderSecret = appSecretRenderer({ secrets: config.secrets, env, gitops, fileFor: (input) => appSecretPath(input.app, settingsFor(input.env)), ...(logger ? { logger } : {}) });
  return { renderSecret, backend: config.secrets.backend };
}

export interface AppSecretDeps {
  /** slipway.yaml's `secrets:`. */
  secrets: SecretsConfig | undefined;
  /** Where a Vault token named by `{ env: … }` is read from. */
  env: Record<string, string | undefined>;
  /** The GitOps repo: its `.sops.yaml`, and the file already committed (kept when nothing changed). */
  gitops: Pick<GitRepo, 'readFile'>;
  /** The repo path of the app's Secret file, e.g. `kubernetes/apps/dynamic/notes/app/env-secret.yaml`. */
  fileFor: (input: AppSecretInput) => string;
  logger?: Pick<Logger, 'info'>;
  /** The SOPS files' `lastmodified`; now unless set. */
  now?: () => Date;
}

/**
 * The `renderAppSecret` of the composition root: one file at `fileFor(input)` holding the app's Secret
 * as `backend` says, or no file when the app has no secret. An encrypted file already committed whose
 * values, metadata and recipients are unchanged is kept byte for byte (encryption is random), so a run
 * that changes no secret commits nothing for it.
 * @example const render = appSecretRenderer({ secrets: config.secrets, env: process.env, gitops, fileFor }); await render(input, 'sops')
 */
export function appSecretRenderer(deps: AppSecretDeps): RenderAppSecret {
  return async (input: AppSecretInput, backend: AppSecretBackend): Promise<RenderedFile[]> => {
    if (Object.keys(input.values).length === 0) return [];
    const path = deps.fileFor(input);
    if (backend === 'external-secrets') return [{ path, content: await externalSecretFile(input, deps) }];
    const secret: PlainSecret = { name: appSecretName(input.app), namespace: input.namespace, labels: input.labels, stringData: input.values };
    if (backend === 'sealed-secrets') {
      if (deps.secrets?.sealCert === undefined) throw new ConfigError('secrets.backend sealed-secrets needs secrets.sealCert in slipway.yaml', { hint: 'Fetch the controller\'s certificate with `kubeseal --fetch-cert > sealed-secrets.pem` and set secrets.sealCert to that file.' });
      return [await encryptCommitted(secret, path, readSecretEncryption({ ...deps.secrets, backend: 'sealed-secrets' }), deps)];
    }
    // slipway.yaml's recipients may be missing when the repo's .sops.yaml names them.
    const configured = (deps.secrets?.ageRecipients ?? []).map((value, i) => parseConfiguredAgeRecipient(value, `secrets.ageRecipients[${i}] in slipway.yaml`, 'Use the public key age-keygen prints (age1…).'));
    return [await encryptCommitted(secret, path, { kind: 'sops', ageRecipients: [...new Set(configured)] }, deps)];
  };
}

/**
 * The text of an encrypted Secret file for the GitOps repo at `path`. SOPS follows the repo's
 * `.sops.yaml` as sops does: the first creation rule matching `path` gives the recipients and
 * `encrypted_regex` instead of `how`'s; no rule matching leaves `how`'s recipients. A file already
 * committed that still says the same (values, metadata, recipients, regex) is kept byte for byte.
 * @example await encryptCommitted(secret, 'kubernetes/apps/dynamic/notes/app/env-secret.yaml', readSecretEncryption(config.secrets), { gitops })
 */
export async function encryptCommitted(secret: PlainSecret, path: string, how: SecretEncryption, deps: Pick<AppSecretDeps, 'gitops' | 'now'>): Promise<RenderedFile> {
  const existing = await readText(deps.gitops, path);
  if (how.kind === 'sealed-secrets') return (await encryptSecretFiles([{ path, secret, purpose: secret.name }], how, encryptSecret, () => existing))[0]!;
  const { chosen, encryptedRegex } = await sopsRecipients(deps.gitops, path, how.ageRecipients);
  const sameRegex = (text: string) => (parse(text) as { sops?: { encrypted_regex?: unknown } } | null)?.sops?.encrypted_regex === (encryptedRegex ?? SOPS_ENCRYPTED_REGEX);
  const now = deps.now?.() ?? new Date();
  const encrypt = (plain: PlainSecret, sops: SecretEncryption) => encryptSecret(plain, sops, { now, ...(encryptedRegex === undefined ? {} : { encryptedRegex }) });
  return (await encryptSecretFiles([{ path, secret, purpose: secret.name }], chosen, encrypt, () => (existing !== undefined && sameRegex(existing) ? existing : undefined)))[0]!;
}

/**
 * Where each value goes when Slipway only references them (no `vault:` configured): one line per
 * key naming the store, the path and the property, for the run's report.
 * @example whereToPutValues(input, config) // ['API_KEY: property API_KEY at slipway/prod/notes in ClusterSecretStore vault']
 */
export function whereToPutValues(input: Pick<AppSecretInput, 'app' | 'env'> & { keys: readonly string[] }, config: ExternalSecretsConfig): string[] {
  const key = remoteKeyFor(config.remotePath, input.env, input.app);
  return [...input.keys].sort().map((name) => `${name}: property ${name} at ${key} in ${config.store.kind} ${config.store.name}`);
}

/** The recipients and regex for the file at `path`: the first matching `.sops.yaml` rule's, else `configured`. */
async function sopsRecipients(gitops: Pick<GitRepo, 'readFile'>, path: string, configured: string[]): Promise<{ chosen: SecretEncryption; encryptedRegex?: string }> {
  const rules = await readText(gitops, SOPS_CONFIG_FILE);
  const rule = rules === undefined ? undefined : sopsCreationRule(rules, path);
  if (rule) return { chosen: { kind: 'sops', ageRecipients: rule.ageRecipients }, ...(rule.encryptedRegex === undefined ? {} : { encryptedRegex: rule.encryptedRegex }) };
  if (configured.length === 0) {
    const why = rules === undefined ? `the GitOps repo has no ${SOPS_CONFIG_FILE}` : `no creation rule of the GitOps repo's ${SOPS_CONFIG_FILE} matches ${path}`;
    throw new ConfigError(`Slipway has no age recipient to encrypt ${path} to: ${why} and slipway.yaml sets no secrets.ageRecipients`, {
      hint: `Add secrets.ageRecipients: [age1…] to slipway.yaml, or a creation rule with path_regex and age to the GitOps repo's ${SOPS_CONFIG_FILE} (the public key of the age key Flux decrypts with).`,
    });
  }
  return { chosen: { kind: 'sops', ageRecipients: configured } };
}

/** The ExternalSecret's YAML, after writing the values to Vault when configured. */
async function externalSecretFile(input: AppSecretInput, deps: AppSecretDeps): Promise<string> {
  const config = deps.secrets?.externalSecrets;
  if (!config) {
    throw new ConfigError('secrets.backend external-secrets needs secrets.externalSecrets in slipway.yaml', { hint: 'Add externalSecrets: { store: { kind: ClusterSecretStore, name: <the store apps read from> } } under secrets:.' });
  }
  const remoteKey = remoteKeyFor(config.remotePath, input.env, input.app);
  if (config.vault) {
    const token = readSecret(config.vault.token, 'secrets.externalSecrets.vault.token', deps.env);
    const written = await writeVaultKv({ url: config.vault.url, token, mount: config.vault.mount }, remoteKey, input.values);
    deps.logger?.info({ app: input.app, env: input.env, mount: config.vault.mount, path: remoteKey, keys: Object.keys(input.values).sort(), version: written.version, changed: written.changed }, written.changed ? 'wrote the app\'s secrets to Vault' : 'Vault already holds the app\'s secrets');
  } else {
    const places = whereToPutValues({ app: input.app, env: input.env, keys: Object.keys(input.values) }, config);
    deps.logger?.info({ app: input.app, env: input.env, places }, 'the app\'s secrets are referenced, not written: put each value in the store');
  }
  const object = renderExternalSecret({
    name: appSecretName(input.app),
    namespace: input.namespace,
    labels: input.labels,
    // The digest changes with any value: the object changes, the operator reads the store again at once.
    annotations: { [VALUE_DIGEST_ANNOTATION]: secretValueDigest(input.values) },
    store: config.store,
    remoteKey,
    keys: Object.keys(input.values),
    refreshInterval: config.refreshInterval,
  });
  assertValid([object]);
  return toYaml(object, { header: RENDERED_HEADER });
}

async function readText(gitops: Pick<GitRepo, 'readFile'>, path: string): Promise<string | undefined> {
  const bytes = await gitops.readFile(path);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}
