import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { gitOpsEngine, gitOpsEngineRenders } from '../../adapters/gitops/index.ts';
import { encryptSecret } from '../../adapters/secrets/index.ts';
import { runBootstrap, type BootstrapResult } from '../../app/bootstrap/index.ts';
import { loadConfig } from '../../config/load.ts';
import { InputError } from '../../domain/errors.ts';
import { resolveBootstrapSettings, type SecretEncryption, type SecretsBackend } from '../../render/bootstrap/index.ts';
import { CrdSchemas } from '../../render/validate/index.ts';
import { printJson, reportError } from '../output.ts';

export interface BootstrapOptions {
  out: string;
  engine?: string;
  secrets?: string;
  ageRecipient?: string;
  sealCert?: string;
  registry?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `slipway bootstrap --out <dir> [--engine flux|argocd] [--secrets sops|sealed-secrets]
 * [--age-recipient <key> | --seal-cert <file>] [--registry] [--dry-run] [--json]`: writes the cluster
 * side into the GitOps checkout (or an empty folder) and commits it; `--dry-run` prints the diff
 * instead. Exit 0, or 2 for a bad flag or setting.
 * @example await bootstrapCommand({ out: './gitops', ageRecipient: 'age1…' }) // 0
 */
export async function bootstrapCommand(opts: BootstrapOptions): Promise<number> {
  try {
    if (typeof opts.out !== 'string' || opts.out.trim() === '') {
      throw new InputError('--out is required', { hint: 'Name a checkout of the GitOps repo, or a new or empty folder, e.g. --out ./gitops.' });
    }
    if (opts.engine !== undefined && opts.engine !== 'flux' && opts.engine !== 'argocd') {
      throw new InputError(`--engine must be flux or argocd, not '${opts.engine}'`);
    }
    const backend = secretsBackend(opts.secrets);
    const how = secretEncryption(backend, opts);
    const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
    if (opts.registry) config.bootstrap.registry.enabled = true;
    const settings = resolveBootstrapSettings({ config, engines: gitOpsEngineRenders(), engine: opts.engine, secrets: backend, localDir: join(config.home, 'bootstrap') });
    const result = await runBootstrap({
      settings,
      out: resolve(opts.out),
      how,
      encrypt: encryptSecret,
      author: config.git.author,
      dryRun: Boolean(opts.dryRun),
      crds: new CrdSchemas({ cacheDir: join(config.cache, 'validators') }),
    });
    if (opts.json) printJson(jsonOf(result, settings.engine));
    else printResult(result, gitOpsEngine(settings.engine).title, Boolean(opts.dryRun));
    return 0;
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
}

function secretsBackend(value: string | undefined): SecretsBackend {
  if (value === undefined || value === 'sops' || value === 'sealed-secrets') return value ?? 'sops';
  throw new InputError(`--secrets must be sops or sealed-secrets, not '${value}'`);
}

/** The encryption the flags ask for; each backend takes its own flag and refuses the other's. */
function secretEncryption(backend: SecretsBackend, opts: BootstrapOptions): SecretEncryption {
  if (backend === 'sops') {
    if (opts.sealCert !== undefined) throw new InputError('--seal-cert goes with --secrets sealed-secrets, not sops', { hint: 'Pass --secrets sealed-secrets --seal-cert <file>, or --age-recipient age1… for SOPS.' });
    const recipient = opts.ageRecipient;
    if (recipient === undefined) throw new InputError('SOPS needs an age recipient: --age-recipient age1…', { hint: 'Make a key with age-keygen, give its public key here and its private key to Flux (the sops-age Secret).' });
    if (!/^age1[02-9ac-hj-np-z]{58}$/.test(recipient)) throw new InputError(`--age-recipient must be an age public key (age1 followed by 58 characters), not '${recipient.slice(0, 80)}'`, { hint: 'Copy the "Public key: age1…" line age-keygen printed.' });
    return { kind: 'sops', ageRecipients: [recipient] };
  }
  if (opts.ageRecipient !== undefined) throw new InputError('--age-recipient goes with --secrets sops, not sealed-secrets', { hint: 'Pass --seal-cert <file> for Sealed Secrets.' });
  if (opts.sealCert === undefined) throw new InputError('Sealed Secrets needs the controller\'s certificate: --seal-cert <file>', { hint: 'Fetch it with kubeseal --fetch-cert > sealed-secrets.pem.' });
  let certPem: string;
  try {
    certPem = readFileSync(resolve(opts.sealCert), 'utf8');
  } catch (error) {
    throw new InputError(`cannot read --seal-cert ${opts.sealCert}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { hint: 'Fetch it with kubeseal --fetch-cert > sealed-secrets.pem and pass that file.' });
  }
  return { kind: 'sealed-secrets', certPem };
}

function jsonOf(result: BootstrapResult, engine: string) {
  return {
    files: result.files,
    receiverPath: result.receiverPath,
    engine,
    out: result.out,
    changed: result.changed,
    removed: result.removed,
    commit: result.commit,
    notes: result.notes,
    valueFiles: result.valueFiles,
    ...(result.diff !== undefined ? { diff: result.diff } : {}),
  };
}

function printResult(result: BootstrapResult, engine: string, dryRun: boolean): void {
  const lines: string[] = [];
  if (dryRun) {
    lines.push(result.diff === '' ? `Nothing would change in ${result.out}.` : (result.diff ?? '').trimEnd());
  } else {
    const changes = result.changed.length + result.removed.length;
    const done = changes === 0 ? 'nothing changed' : result.commit ? `committed ${result.commit.slice(0, 12)}` : `${changes} file(s) written`;
    lines.push(`Bootstrapped the cluster side for ${engine} in ${result.out}: ${done}`);
    for (const path of result.changed) lines.push(`  ~ ${path}`);
    for (const path of result.removed) lines.push(`  - ${path}`);
  }
  if (result.receiverPath) lines.push('', `Receiver webhook path: ${result.receiverPath}`);
  if (result.notes.length > 0) lines.push('', ...result.notes);
  process.stdout.write(`${lines.join('\n')}\n`);
}
