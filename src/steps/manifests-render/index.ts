import { z } from 'zod';
import { AppSpec } from '../../domain/index.ts';
import { defineStep } from '../../pipeline/index.ts';
import { renderApp, type RenderSettings } from '../../render/index.ts';
import { RenderedFiles } from '../schemas.ts';

/**
 * Renders the app's Kubernetes manifests (pure; nothing is written). The image is named after the
 * source commit until an image step provides a digest.
 */
export const createRenderStep = ({ settings }: { settings: RenderSettings }) =>
  defineStep({
    id: 'manifests:render',
    title: 'Render the manifests',
    input: z.object({ spec: AppSpec, image: z.string().min(1) }),
    output: RenderedFiles,
    run: async (ctx) => ({ image: ctx.input.image, files: renderApp(ctx.input.spec, { image: ctx.input.image }, settings) }),
  });
