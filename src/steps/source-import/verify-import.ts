import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import type { Sandbox } from '../../ports/index.ts';
import { AppName } from '../schemas.ts';
import { VerifiedSource, withMetrics } from '../source-verify/verification.ts';
import { ImportedSource } from './imported-source.ts';

/**
 * Proves a folder's app installs, starts and answers as a generated one must (the same sandbox),
 * once: Slipway does not rewrite people's code. A Dockerfile app is proven where its image runs
 * (the deploy's health check), since the sandbox runs Node apps.
 */
export const createVerifyImportStep = ({ sandbox }: { sandbox: Sandbox }) =>
  defineStep({
    id: 'source:verify',
    title: 'Verify the app starts',
    input: z.object({ app: AppName, source: ImportedSource }),
    output: VerifiedSource,
    summarize: (o) => (o.attempts.length === 0 ? 'left to the health check of its image (Dockerfile)' : `passed ${o.attempts[0]!.checks.length} checks`),
    run: async (ctx) => {
      const { source } = ctx.input;
      const verified = { dir: source.dir, spec: source.spec, files: source.files };
      if (source.kind === 'dockerfile') return { ...verified, attempts: [] };
      const files = await Promise.all(source.files.map(async (f) => ({ path: f.path, content: await readFile(join(source.dir, f.path), 'utf8') })));
      const result = await sandbox.verify({ spec: source.spec, files }, ctx.signal);
      const attempt = { attempt: 1, ok: result.ok, checks: result.checks, files: files.length, ...(result.ok ? {} : { failure: result.failure ?? 'the sandbox reported a failure without detail' }) };
      if (!result.ok) {
        throw new InputError(`the folder's app did not pass verification: ${attempt.failure}`, {
          hint: 'Fix the app so that its start script starts it, it listens on $PORT and answers GET /healthz and GET / — then run the command again.',
          details: { attempts: [attempt] },
        });
      }
      // Like a generated app, a folder's app that serves /metrics gets a ServiceMonitor.
      return { ...verified, spec: withMetrics(source.spec, result.metrics), attempts: [attempt] };
    },
  });
