import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppNeeds, assertSafeRelativePath, checkNeeds, InputError, Runtime, type GeneratedFile } from '../../domain/index.ts';
import { compareCodeUnits } from '../../domain/compare.ts';

/** Template ids double as folder names, so they are kept to a safe, lowercase alphabet. */
export const TEMPLATE_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const PARAMETER_NAME = /^[a-zA-Z][a-zA-Z0-9]*$/;

/** A word the scorer looks for, with the words that mean the same thing here. */
export const TemplateKeyword = z.object({
  word: z.string().min(1),
  weight: z.number().positive().max(10),
  synonyms: z.array(z.string().min(1)).default([]),
});
export type TemplateKeyword = z.infer<typeof TemplateKeyword>;

/** A value the template's files are filled with: `{{name}}` in a file. */
export const TemplateParameter = z.object({
  kind: z.enum(['text', 'color', 'integer', 'choice']),
  default: z.string(),
  description: z.string(),
  choices: z.array(z.string()).optional(),
  min: z.number().int().optional(),
  max: z.number().int().optional(),
  /** For text: a regular expression the whole value must match; the description then says the form in words. */
  pattern: z.string().optional(),
});
export type TemplateParameter = z.infer<typeof TemplateParameter>;

/** The contents of `templates/<id>/template.json`. */
export const TemplateManifest = z.object({
  id: z.string().regex(TEMPLATE_ID),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  title: z.string().min(1),
  runtime: Runtime,
  description: z.string().min(1),
  /** Whether the app keeps data under $DATA_DIR that must survive restarts. */
  persistent: z.boolean().default(false),
  keywords: z.array(TemplateKeyword).min(1),
  parameters: z.record(z.string().regex(PARAMETER_NAME), TemplateParameter),
  /** What the template's app reads besides PORT, HOST and DATA_DIR: only what its files really read. */
  needs: AppNeeds.optional(),
});
export type TemplateManifest = z.infer<typeof TemplateManifest>;

/**
 * Reads and checks one template's `template.json`. The folder name must equal the id.
 * @example await loadTemplate('/repo/templates', 'timer') // { id: 'timer', version: '1.0.0', … }
 */
export async function loadTemplate(templatesDir: string, id: string): Promise<TemplateManifest> {
  if (!TEMPLATE_ID.test(id)) throw new InputError(`'${id}' is not a template id; ids are lowercase letters, digits and '-'`);
  const file = join(templatesDir, id, 'template.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`there is no template '${id}'`);
    throw error;
  }
  const parsed = TemplateManifest.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${file} is not a valid template manifest: ${issues}`);
  }
  if (parsed.data.id !== id) throw new Error(`${file} declares id '${parsed.data.id}' but sits in folder '${id}'`);
  // A template's needs are written by hand: anything the plan check would drop is a defect in the file.
  const { warnings } = checkNeeds(parsed.data.needs);
  if (warnings.length > 0) throw new Error(`${file} declares needs Slipway cannot wire: ${warnings.join('; ')}`);
  return parsed.data;
}

/**
 * Every template under `templatesDir` (folders holding a `template.json`), sorted by id.
 * @example (await listTemplates('/repo/templates')).map((t) => t.id) // ['form', 'notes-api', 'static-site', 'timer']
 */
export async function listTemplates(templatesDir: string): Promise<TemplateManifest[]> {
  const entries = await readdir(templatesDir, { withFileTypes: true });
  const ids = entries.filter((e) => e.isDirectory() && TEMPLATE_ID.test(e.name)).map((e) => e.name);
  const manifests: TemplateManifest[] = [];
  for (const id of ids.sort()) {
    try {
      manifests.push(await loadTemplate(templatesDir, id));
    } catch (error) {
      // A folder without a manifest is not a template (e.g. shared assets); anything else is a defect.
      if (error instanceof InputError) continue;
      throw error;
    }
  }
  return manifests;
}

/**
 * Reads a template's `files/` folder: POSIX relative paths, sorted, each read once. Symbolic links
 * are refused so a template can never pull in a file from outside its folder.
 */
export async function readTemplateFiles(templatesDir: string, id: string, signal?: AbortSignal): Promise<GeneratedFile[]> {
  const root = join(templatesDir, id, 'files');
  const files: GeneratedFile[] = [];
  const walk = async (relative: string): Promise<void> => {
    signal?.throwIfAborted();
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push({ path: assertSafeRelativePath(path), content: await readFile(join(root, path), 'utf8') });
      else throw new Error(`template '${id}' holds ${path}, which is neither a file nor a folder`);
    }
  };
  if (!(await lstat(root).catch(() => null))?.isDirectory()) throw new Error(`template '${id}' has no files/ folder`);
  await walk('');
  return files.sort((a, b) => compareCodeUnits(a.path, b.path));
}
