import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { gitOpsEngine, gitOpsEngineRenders } from '../../adapters/gitops/index.ts';
import { encryptSecret, readSecretEncryption } from '../../adapters/secrets/index.ts';
import { runBootstrap, type BootstrapResult } from '../../app/bootstrap/index.ts';
import { loadConfig } from '../../config/load.ts';
import { InputError } from '../../domain/errors.ts';
import { resolveBootstrapSettings } from '../../render/bootstrap/index.ts';
import { CrdSchemas } from '../../render/validate/index.ts';
import { printJson, reportError } from '../output.ts';

export interface BootstrapOptions {
  out: string;
  engine?: string;
  secrets?: string;
  /** One key, or several when the option is repeated. */
  ageRecipient?: string | string[];
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
    const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
    // Checked before anything is read or written: the age keys parse, the certificate is an RSA one in date.
    const how = readSecretEncryption(config.secrets, { secrets: opts.secrets, ageRecipient: opts.ageRecipient, sealCert: opts.sealCert }, { cwd: process.cwd() });
    if (opts.registry) config.bootstrap.registry.enabled = true;
    const settings = resolveBootstrapSettings({ config, engines: gitOpsEngineRenders(), engine: opts.engine, secrets: how.kind, localDir: join(config.home, 'bootstrap') });
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
    for (const path of result.changed) lines.push(`  ${result.added.includes(path) ? '+' : '~'} ${path}`);
    for (const path of result.removed) lines.push(`  - ${path}`);
    if (result.commit) lines.push(`Push it for the cluster to see it: git -C ${result.out} push`);
  }
  if (result.receiverPath) lines.push('', `Receiver webhook path: ${result.receiverPath}`);
  if (result.notes.length > 0) lines.push('', ...result.notes);
  process.stdout.write(`${lines.join('\n')}\n`);
}
