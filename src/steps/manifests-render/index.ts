import { z } from 'zod';
import { AppSpec } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import { renderAppChecked, type RenderSettings } from '../../render/index.ts';
import { RenderedFiles } from '../schemas.ts';

/**
 * Renders the app's Kubernetes manifests and validates every object against the Kubernetes, Flux,
 * Gateway API and Argo CD schemas, so nothing invalid is ever committed (pure; nothing is written).
 */
export const createRenderStep = ({ settings }: { settings: RenderSettings }) =>
  defineStep({
    id: 'manifests:render',
    title: 'Render the manifests',
    input: z.object({ spec: AppSpec, image: z.string().min(1) }),
    output: RenderedFiles,
    run: async (ctx) => ({ image: ctx.input.image, files: renderAppChecked(ctx.input.spec, { image: ctx.input.image }, settings).files }),
  });
