import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../domain/errors.ts';
import type { SecretValues } from '../../render/bootstrap/index.ts';

/** Secret values are random hex: 32 bytes unless a part asks for another length. */
const DEFAULT_BYTES = 32;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The bootstrap's secret values, kept on this machine in `<dir>/secret-values.json` (mode 0600, its
 * folder 0700) so a second run reuses them: the receiver's webhook path, which is derived from its
 * token, and every encrypted file stay the same. Each value used in a run is also written to its own
 * file `<dir>/<name>` (0600), which slipway.yaml can name as `{ file: … }`.
 * @example const values = FileSecretValues.open('/home/me/.slipway/bootstrap'); values.get('flux-receiver-token'); values.save();
 */
export class FileSecretValues implements SecretValues {
  readonly dir: string;
  readonly #kept: Record<string, string>;
  readonly #used = new Set<string>();

  private constructor(dir: string, kept: Record<string, string>) {
    this.dir = dir;
    this.#kept = kept;
  }

  /** The values kept in `dir`, or none yet. */
  static open(dir: string): FileSecretValues {
    return new FileSecretValues(dir, readKept(join(dir, 'secret-values.json')));
  }

  get(name: string, bytes = DEFAULT_BYTES): string {
    if (!NAME.test(name)) throw new Error(`a secret value name must be a DNS label, not ${JSON.stringify(name)}`);
    this.#used.add(name);
    return (this.#kept[name] ??= randomBytes(bytes).toString('hex'));
  }

  /** The names asked for so far, sorted. */
  used(): string[] {
    return [...this.#used].sort();
  }

  /** Where the value `name` is written for slipway.yaml to read. */
  fileOf(name: string): string {
    return join(this.dir, name);
  }

  /** Writes every value (kept and new) to secret-values.json, and each used one to its own file; all 0600. */
  save(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const sorted = Object.fromEntries(Object.entries(this.#kept).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    writePrivate(join(this.dir, 'secret-values.json'), `${JSON.stringify(sorted, null, 2)}\n`);
    for (const name of this.#used) writePrivate(this.fileOf(name), this.#kept[name]!);
  }
}

function readKept(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read the kept bootstrap values ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: 'Make it readable by this user; it holds the values the cluster side was bootstrapped with.',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const valid = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string');
  // Never quote the file: it holds secrets.
  if (!valid) throw new ConfigError(`${file} is not a JSON object of names to strings`, { hint: 'Restore it from a backup; removing it makes the next bootstrap generate new secrets (and a new receiver path).' });
  return parsed as Record<string, string>;
}

/** Written beside the target and renamed over it, so a crash never leaves half a file; 0600 from the start. */
function writePrivate(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
}
