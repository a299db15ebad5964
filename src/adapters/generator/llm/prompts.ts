import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../domain/errors.ts';

/** The prompts the generator uses, one per stage. */
export const PROMPT_NAMES = ['planner', 'coder', 'repair', 'change'] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

export interface Prompt {
  name: PromptName;
  version: number;
  /** `planner.v1`: what provenance records. */
  id: string;
  /** The text after the front matter, with `{{placeholders}}` still in it. */
  body: string;
}

const FILE = /^([a-z]+)\.v(\d+)\.md$/;

/**
 * Loads `<dir>/<name>.v<N>.md` — the version asked for, or the highest one there — and checks that
 * its front matter says the same `version:`. Prompts are versioned files so a changed prompt is a
 * new file, and every generated app records which prompt wrote it. Synchronous: a few small files
 * read once when the generator is made, so a missing prompt fails at start and `info` names them.
 * @example loadPrompt('/opt/slipway/prompts', 'coder').id // 'coder.v1'
 */
export function loadPrompt(dir: string, name: PromptName, version?: number): Prompt {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new ConfigError(`the prompts folder ${dir} cannot be read`, { hint: 'Point the generator at the prompts/ folder that ships with Slipway.' });
  }
  const versions = entries
    .map((e) => FILE.exec(e))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === name)
    .map((m) => Number(m[2]))
    .sort((a, b) => a - b);
  const chosen = version ?? versions.at(-1);
  if (chosen === undefined || !versions.includes(chosen)) {
    throw new ConfigError(`there is no prompt ${name}${version === undefined ? '' : `.v${version}`} in ${dir}`, {
      hint: `Expected a file named ${name}.v<N>.md; found: ${versions.map((v) => `${name}.v${v}.md`).join(', ') || 'none'}.`,
    });
  }
  const file = join(dir, `${name}.v${chosen}.md`);
  const { meta, body } = splitFrontMatter(readFileSync(file, 'utf8'));
  if (meta['version'] !== String(chosen)) {
    throw new ConfigError(`${file} declares version ${meta['version'] ?? '(none)'} in its front matter; it must say version: ${chosen}`);
  }
  return { name, version: chosen, id: `${name}.v${chosen}`, body: body.trim() };
}

/**
 * Splits `---\nkey: value\n---\nbody` into its flat key/value front matter and the body.
 * @example splitFrontMatter('---\nversion: 2\n---\nHello').meta.version // '2'
 */
export function splitFrontMatter(text: string): { meta: Record<string, string>; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!match) return { meta: {}, body: text };
  const meta: Record<string, string> = {};
  for (const line of match[1]!.split(/\r?\n/)) {
    const kv = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (kv) meta[kv[1]!] = kv[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return { meta, body: text.slice(match[0].length) };
}

/**
 * Fills `{{name}}` placeholders; a placeholder without a value is a defect in the prompt file.
 * @example fillPrompt('At most {{maxFiles}} files', { maxFiles: '40' }) // 'At most 40 files'
 */
export function fillPrompt(body: string, values: Readonly<Record<string, string>>): string {
  return body.replace(/\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g, (_, key: string) => {
    if (!Object.hasOwn(values, key)) throw new ConfigError(`the prompt uses {{${key}}}, which Slipway does not fill`);
    return values[key]!;
  });
}
