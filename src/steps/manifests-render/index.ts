import { z } from 'zod';
import { AppSpec } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import { CrdSchemas, renderAppChecked, type RenderSettings } from '../../render/index.ts';
import { RenderedFiles } from '../schemas.ts';

/**
 * Renders the app's Kubernetes manifests and validates every object against the Kubernetes, Flux,
 * Gateway API and Argo CD schemas, so nothing invalid is ever committed (nothing is written but the
 * compiled schemas, to `validatorCache` when given).
 */
export const createRenderStep = ({ settings, validatorCache, settingsFor }: {
  settings: RenderSettings;
  validatorCache?: string;
  /** An environment's settings (its folder, namespace, domain), when a run names one. */
  settingsFor?: (env: string) => RenderSettings;
}) => {
  const crds = new CrdSchemas(validatorCache === undefined ? {} : { cacheDir: validatorCache });
  return defineStep({
    id: 'manifests:render',
    title: 'Render the manifests',
    input: z.object({ spec: AppSpec, image: z.string().min(1), env: z.string().optional() }),
    output: RenderedFiles,
    summarize: (o) => `${o.files.length} manifests`,
    run: async (ctx) => {
      const chosen = ctx.input.env !== undefined && settingsFor ? settingsFor(ctx.input.env) : settings;
      return { image: ctx.input.image, files: renderAppChecked(ctx.input.spec, { image: ctx.input.image }, chosen, { crds }).files };
    },
  });
};
