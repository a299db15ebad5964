/**
 * Template parts: code several templates share, written once in `templates/_parts/` and copied into
 * each generated file where a line `{{> name}}` includes it. The generated app holds the part's text
 * inline, so it stays one standalone folder; the repository holds one copy.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedFile } from '../../domain/index.ts';
import { compareCodeUnits } from '../../domain/compare.ts';
import { readTemplateFiles } from './template-manifest.ts';

/** The folder under the templates directory that holds the parts; its `_` keeps it from being a template id. */
export const PARTS_FOLDER = '_parts';

/** How deep parts may include parts: enough for a part built of parts, and a loop stops here. */
export const MAX_PART_DEPTH = 3;

/** Part names, text by file name (e.g. `json-store.js`). */
export type TemplateParts = ReadonlyMap<string, string>;

/** A part is a plain file name in `_parts/`: no folders, so no path can lead out of it. */
const PART_NAME = /^[a-z0-9][a-z0-9.-]*\.[a-z]+$/;

/**
 * An include line: `{{> name}}` alone on its line, indentation allowed. `>` cannot start a
 * placeholder name, so `fillPlaceholders` never mistakes one for the other.
 */
const INCLUDE_LINE = /^([ \t]*)\{\{>\s*(\S*?)\s*\}\}[ \t]*$/gm;
const INCLUDE_ANYWHERE = /\{\{>/;

/**
 * Reads every file in `<templatesDir>/_parts/`; no such folder means no parts (a templates directory
 * of one's own need not have any).
 * @example (await readTemplateParts('/repo/templates')).get('json-store.js') // 'let items = await load();…'
 */
export async function readTemplateParts(templatesDir: string): Promise<TemplateParts> {
  const root = join(templatesDir, PARTS_FOLDER);
  const entries = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const names = entries.filter((e) => e.isFile() && PART_NAME.test(e.name)).map((e) => e.name).sort(compareCodeUnits);
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(root, name), 'utf8')] as const)));
}

/**
 * Replaces each include line with the part's text, indented like the line; parts may include parts
 * up to MAX_PART_DEPTH. Run before `fillPlaceholders` on the including file's path, so a part's
 * placeholders are escaped for the file it lands in. Errors name the template file and the part:
 * they are defects of the template, like an undeclared placeholder.
 * @example includeParts('x/files/server.js', '{{> json-store.js}}\n', parts)
 */
export function includeParts(path: string, content: string, parts: TemplateParts, through: readonly string[] = []): string {
  const inlined = content.replace(INCLUDE_LINE, (_line, indent: string, name: string) => {
    const chain = [...through, name];
    const where = through.length > 0 ? `${path} (through ${through.join(' → ')})` : path;
    if (!PART_NAME.test(name)) {
      throw new Error(`${where} includes '${name}': a part is named by its file name in templates/${PARTS_FOLDER}/, without folders`);
    }
    const part = parts.get(name);
    if (part === undefined) {
      const known = [...parts.keys()].join(', ') || 'none';
      throw new Error(`${where} includes part '${name}', which is not in templates/${PARTS_FOLDER}/ (there: ${known})`);
    }
    if (chain.length > MAX_PART_DEPTH) {
      throw new Error(`${path} includes parts ${MAX_PART_DEPTH + 1} deep (${chain.join(' → ')}); parts may include parts at most ${MAX_PART_DEPTH} deep`);
    }
    const text = includeParts(path, part.replace(/\n$/, ''), parts, chain);
    return indent ? text.replace(/^(?=.)/gm, indent) : text;
  });
  if (INCLUDE_ANYWHERE.test(inlined)) {
    const line = inlined.split('\n').find((l) => INCLUDE_ANYWHERE.test(l))!.trim();
    throw new Error(`${path} has '${line}': an include stands alone on its line, as {{> name}}`);
  }
  return inlined;
}

/**
 * A template's files with their parts included and placeholders still open: what the generator fills.
 * @example (await readTemplateSources('/repo/templates', 'timer')).map((f) => f.path) // ['.gitignore', …, 'server.js']
 */
export async function readTemplateSources(templatesDir: string, id: string, signal?: AbortSignal): Promise<GeneratedFile[]> {
  const [files, parts] = await Promise.all([readTemplateFiles(templatesDir, id, signal), readTemplateParts(templatesDir)]);
  return files.map((file) => ({ path: file.path, content: includeParts(`${id}/files/${file.path}`, file.content, parts) }));
}
