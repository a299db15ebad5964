import type { AppSpec } from '../domain/app-spec.ts';
import { InputError } from '../domain/errors.ts';
import { isImageDigest, splitImage } from './image.ts';
import { appLabels } from './labels.ts';
import type { Labels, RenderInput } from './types.ts';

/** A DNS-1035 label: what a Service name must be (it must start with a letter). */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** What every renderer needs, checked once. */
export interface RenderTarget {
  app: string;
  image: string;
  labels: Labels;
}

/**
 * Checks the app name, image and extra labels. The name becomes object names, a host name and a
 * path in the GitOps repo, so it must be a DNS-1035 label (Service names may not start with a digit).
 * @example renderTarget(spec, { image: 'registry.local/notes:1' }).labels['app.kubernetes.io/name'] // 'notes'
 */
export function renderTarget(spec: AppSpec, input: RenderInput): RenderTarget {
  const app = spec.name;
  if (app.length > 63 || !DNS_1035_LABEL.test(app)) {
    throw new InputError(
      `cannot render manifests for '${app}': a Kubernetes object name must be 1-63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
      { hint: 'Rename the app, e.g. --name my-app.' },
    );
  }
  const image = input.image;
  // Whitespace or control characters would split the reference or the YAML line; an image ref never has them.
  if (image.length === 0 || image.length > 1024 || /[\s\u0000-\u001f\u007f]/.test(image)) {
    throw new InputError(`cannot render manifests for '${app}': ${JSON.stringify(image)} is not an image reference`, {
      hint: 'Pass a reference such as registry.local:5000/dynamic-apps/my-app:1.0.0 or …@sha256:<digest>.',
    });
  }
  const { name, digest } = splitImage(image);
  if (name === '' || (digest !== undefined && !isImageDigest(digest))) {
    throw new InputError(`cannot render manifests for '${app}': ${JSON.stringify(image)} is not an image reference (the part after @ must be sha256:<64 hex digits>)`, {
      hint: 'Pass the reference the build printed, such as registry.local:5000/dynamic-apps/my-app:1.0.0@sha256:<digest>.',
    });
  }
  return { app, image, labels: appLabels(app, input.labels) };
}
