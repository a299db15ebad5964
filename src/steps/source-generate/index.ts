import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { assertSafeRelativePath, InputError } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import type { CodeGenerator } from '../../ports/index.ts';
import { AppName, AppPlanSchema, GeneratedSource } from '../schemas.ts';

/** Limits on what a generator may produce. */
export const MAX_FILES = 200;
export const MAX_TOTAL_BYTES = 5 * 1024 * 1024;

/**
 * Generates the app's files into the run's workspace (`<workspace>/<runId>/source`). Every path is
 * checked before it is written; the output lists each file's digest so later steps can trust them.
 */
export const createGenerateStep = ({ generator, workspace }: { generator: CodeGenerator; workspace: string }) =>
  defineStep({
    id: 'source:generate',
    title: 'Generate the source',
    input: z.object({ app: AppName, description: z.string(), plan: AppPlanSchema }),
    output: GeneratedSource,
    summarize: (o) => `${o.files.length} files`,
    run: async (ctx) => {
      const { spec, files } = await generator.generate(ctx.input.plan, { name: ctx.input.app, description: ctx.input.description }, ctx.signal);
      if (files.length === 0) throw new InputError('the generator produced no files');
      if (files.length > MAX_FILES) throw new InputError(`the generator produced ${files.length} files; at most ${MAX_FILES} are allowed`);
      const total = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
      if (total > MAX_TOTAL_BYTES) throw new InputError(`the generated files hold ${total} bytes; at most ${MAX_TOTAL_BYTES} are allowed`);
      const dir = join(workspace, ctx.runId, 'source');
      await rm(dir, { recursive: true, force: true });
      const seen = new Set<string>();
      const digests = [];
      for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
        const path = assertSafeRelativePath(file.path);
        if (seen.has(path)) throw new InputError(`the generator produced ${path} twice`);
        seen.add(path);
        const target = join(dir, path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, file.content, { flag: 'wx' });
        digests.push({ path, sha256: createHash('sha256').update(file.content).digest('hex'), size: Buffer.byteLength(file.content) });
      }
      return { dir, spec: { ...spec, name: ctx.input.app }, files: digests };
    },
  });
