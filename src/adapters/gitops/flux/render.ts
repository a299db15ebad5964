import type { EngineRender } from '../../../ports/gitops-engine.ts';
import { renderTarget } from '../../../render/input.ts';
import { appPaths } from '../../../render/kustomization.ts';
import { imageSetterMarker, renderImagePolicy, renderImageRepository } from './image-automation.ts';
import { renderFluxKustomization } from './kustomization.ts';

/**
 * Flux's part of an app's files: the Flux Kustomization (`ks.yaml`) beside the manifests, and with
 * image automation the ImageRepository and ImagePolicy among them and the marker on the image line.
 * Pure, like everything under src/render it builds on.
 */
export const fluxRender: EngineRender = {
  name: 'flux',
  entryFile: 'ks.yaml',
  // postBuild substitution runs over every object Flux applies.
  substitutesVariables: true,
  objects(spec, input, settings) {
    const { app } = renderTarget(spec, input);
    const ks = { path: `${appPaths(app, settings).dir}/ks.yaml`, object: renderFluxKustomization(spec, input, settings) };
    if (!settings.flux.imageAutomation.enabled) return { manifests: [], files: [ks] };
    return {
      manifests: [
        { name: 'imagerepository.yaml', object: renderImageRepository(spec, input, settings) },
        { name: 'imagepolicy.yaml', object: renderImagePolicy(spec, input, settings) },
      ],
      imageMarker: imageSetterMarker(app, settings),
      files: [ks],
    };
  },
};
