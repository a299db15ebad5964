import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { commitPaths, unifiedDiff, type CommitAuthor } from '../../adapters/git/checkout-commit.ts';
import { BOOTSTRAP_HEADER, fluxReceiverPath, type BootstrapSettings, type SecretEncryption } from '../../render/bootstrap/index.ts';
import type { CrdSchemas } from '../../render/validate/index.ts';
import { planBootstrap } from './plan.ts';
import type { SecretEncrypter } from './secret-files.ts';
import { FileSecretValues } from './secret-values.ts';
import { bootstrapTarget, existingFiles } from './target.ts';

export interface BootstrapRequest {
  settings: BootstrapSettings;
  /** `--out`: a checkout of the GitOps repo, or an empty folder. */
  out: string;
  how: SecretEncryption;
  encrypt: SecretEncrypter;
  /** Who the commit is by (slipway.yaml's `git.author`). */
  author: CommitAuthor;
  dryRun: boolean;
  crds?: CrdSchemas;
}

export interface BootstrapResult {
  out: string;
  /** Every file of the bootstrap folder, by its path in the repo. */
  files: string[];
  /** Files written (or, with --dry-run, that would be), among them those that were not there before, and files removed. */
  changed: string[];
  added: string[];
  removed: string[];
  /** The commit made in a git checkout; absent when nothing changed, --out is no checkout, or --dry-run. */
  commit?: string;
  /** With --dry-run: the unified diff of what a real run would change ('' for nothing). */
  diff?: string;
  notes: string[];
  /** Flux: the path of the Receiver's webhook (`/hook/<sha256>`), to put after the receiver's address in slipway.yaml. */
  receiverPath?: string;
  /** The values kept on this machine, by name, and the file each is in (for slipway.yaml's `{ file: … }`). */
  valueFiles: Record<string, string>;
}

const COMMIT_MESSAGE = 'Bootstrap the cluster side of Slipway: namespaces, receiver, RBAC and what runs Slipway';

/**
 * Writes the cluster side into `--out` and, when it is a git checkout, commits it: the files the parts
 * make (validated, Secrets encrypted) replace the bootstrap folder's; a file an earlier bootstrap wrote
 * that no part makes any more is removed. Unchanged files keep their bytes, so a second run with the
 * same settings writes nothing and commits nothing. With `dryRun`, nothing is written anywhere: the
 * result carries the diff instead.
 * @example await runBootstrap({ settings, out: '/home/me/gitops', how, encrypt: encryptSecret, author, dryRun: false })
 */
export async function runBootstrap(request: BootstrapRequest): Promise<BootstrapResult> {
  const { settings, out } = request;
  const target = await bootstrapTarget(out, settings.path);
  const before = await existingFiles(out, settings.path);
  const values = FileSecretValues.open(settings.localDir);
  const plan = await planBootstrap(settings, values, { how: request.how, encrypt: request.encrypt, existing: (path) => before.get(path), crds: request.crds });

  const planned = new Map(plan.files.map((file) => [file.path, file.content]));
  const changed = plan.files.filter((file) => before.get(file.path) !== file.content).map((file) => file.path);
  const removed = [...before.keys()].filter((path) => !planned.has(path) && isOurs(path, before.get(path)!, settings.path)).sort();
  const result: BootstrapResult = {
    out,
    files: plan.files.map((file) => file.path),
    changed,
    added: changed.filter((path) => !before.has(path)),
    removed,
    notes: plan.notes,
    // Argo CD's webhook has one fixed path; a Flux Receiver's comes from its token.
    receiverPath: settings.engine === 'flux' ? fluxReceiverPath(settings, values) : '/api/webhook',
    valueFiles: Object.fromEntries(values.used().map((name) => [name, values.fileOf(name)])),
  };
  if (request.dryRun) return { ...result, diff: await diffOf(before, planned, [...changed, ...removed]) };

  values.save();
  for (const path of changed) {
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), planned.get(path)!);
  }
  for (const path of removed) await rm(join(out, path), { force: true });
  if (!target.git) return result;
  const commit = await commitPaths(out, [settings.path], COMMIT_MESSAGE, request.author);
  return commit === undefined ? result : { ...result, commit };
}

/** A file the bootstrap wrote: one with its header, or an encrypted Secret of its secrets/ folder. */
function isOurs(path: string, content: string, folder: string): boolean {
  return content.startsWith(`# ${BOOTSTRAP_HEADER}`) || path.startsWith(`${folder}/secrets/`);
}

/** git's unified diff of the changed paths, from what is there to what would be. */
async function diffOf(before: Map<string, string>, after: Map<string, string>, paths: readonly string[]): Promise<string> {
  if (paths.length === 0) return '';
  const dir = await mkdtemp(join(tmpdir(), 'slipway-bootstrap-diff-'));
  try {
    for (const side of ['a', 'b'] as const) {
      await mkdir(join(dir, side));
      for (const path of paths) {
        const content = (side === 'a' ? before : after).get(path);
        if (content === undefined) continue;
        await mkdir(dirname(join(dir, side, path)), { recursive: true });
        await writeFile(join(dir, side, path), content);
      }
    }
    return await unifiedDiff(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
