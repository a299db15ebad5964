import type { IImagePolicy } from '@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImagePolicy';
import type { IImagePolicyChoice } from '@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImagePolicyChoice';
import type { IImageRepository } from '@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageRepository';
import type { AppSpec } from '../../../domain/app-spec.ts';
import { splitImage } from '../../../render/image.ts';
import { renderTarget } from '../../../render/input.ts';
import type { RenderSettings } from '../../../render/settings.ts';
import type { RenderInput } from '../../../render/types.ts';

/**
 * The `<namespace>:<name>` of an app's ImagePolicy. Both image objects live in the apps namespace:
 * the app's Flux Kustomization sets `targetNamespace`, which would move them there anyway.
 * @example imagePolicyRef('notes', defaultRenderSettings()) // 'dynamic-apps:notes'
 */
export function imagePolicyRef(app: string, settings: RenderSettings): string {
  return `${settings.namespace}:${app}`;
}

/**
 * The setter marker Flux's image-automation-controller looks for, as a comment on the line of the
 * Deployment's image. It replaces that line's value with the policy's newest image (with its digest,
 * because the policy reflects digests), then commits.
 * @example imageSetterMarker('notes', defaultRenderSettings()) // '{"$imagepolicy": "dynamic-apps:notes"}'
 */
export function imageSetterMarker(app: string, settings: RenderSettings): string {
  return `{"$imagepolicy": "${imagePolicyRef(app, settings)}"}`;
}

/**
 * The Flux ImageRepository scanning the app's image repository (the image without tag and digest).
 * @example renderImageRepository(spec, { image: 'registry.local/apps/notes:1@sha256:…' }, settings).spec.image // 'registry.local/apps/notes'
 */
export function renderImageRepository(spec: AppSpec, input: RenderInput, settings: RenderSettings) {
  const { app, image, labels } = renderTarget(spec, input);
  const automation = settings.flux.imageAutomation;
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1',
    kind: 'ImageRepository',
    metadata: { name: app, namespace: settings.namespace, labels },
    spec: {
      image: splitImage(image).name,
      interval: automation.interval,
      ...(automation.secretRef === undefined ? {} : { secretRef: { name: automation.secretRef } }),
      ...(automation.insecure === undefined ? {} : { insecure: automation.insecure }),
    },
  } satisfies IImageRepository;
}

/**
 * The Flux ImagePolicy choosing the app's newest tag (semver range, alphabetical or numerical order,
 * optionally among tags matching `filterTags`), with the digest reflected so that an automated
 * update stays pinned by digest like every deploy Slipway makes.
 * @example renderImagePolicy(spec, input, settings).spec.policy // { semver: { range: '>=0.0.0' } }
 */
export function renderImagePolicy(spec: AppSpec, input: RenderInput, settings: RenderSettings) {
  const { app, labels } = renderTarget(spec, input);
  const automation = settings.flux.imageAutomation;
  const choice = automation.policy;
  const policy: IImagePolicyChoice =
    'semver' in choice ? { semver: { range: choice.semver } } : 'alphabetical' in choice ? { alphabetical: { order: choice.alphabetical } } : { numerical: { order: choice.numerical } };
  const filter = automation.filterTags;
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1',
    kind: 'ImagePolicy',
    metadata: { name: app, namespace: settings.namespace, labels },
    spec: {
      imageRepositoryRef: { name: app },
      ...(filter === undefined ? {} : { filterTags: { pattern: filter.pattern, ...(filter.extract === undefined ? {} : { extract: filter.extract }) } }),
      policy,
      // `Always` requires an interval (the CRD's own rule): how often the chosen tag's digest is checked.
      digestReflectionPolicy: 'Always',
      interval: automation.interval,
    },
  } satisfies IImagePolicy;
}
