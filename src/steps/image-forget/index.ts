import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import { AppName } from '../schemas.ts';

/**
 * Removes a deleted app's images from the local image store (its tags; blobs other apps share stay).
 * Only when Slipway keeps images itself: a registry's images are left to its own retention.
 */
export const createForgetImageStep = ({ forget }: { forget: (app: string) => Promise<string[]> }) =>
  defineStep({
    id: 'image:forget',
    title: 'Forget the images',
    input: z.object({ app: AppName }),
    output: z.object({ tags: z.array(z.string()) }),
    summarize: (o) => (o.tags.length > 0 ? `untagged ${o.tags.join(', ')}` : 'no image was kept'),
    run: async (ctx) => ({ tags: await forget(ctx.input.app) }),
  });
