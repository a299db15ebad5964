/** The parts of an image reference as written, `${VAR}`s kept (Flux substitutes them later). */
export interface ImageParts {
  /** Everything before the tag and digest: `registry.local:5000/dynamic-apps/notes`. */
  name: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * Splits `name[:tag][@digest]` without normalising anything: unlike the registry client's parser it
 * keeps the text exactly (no Docker Hub defaults) and allows `${REGISTRY_URL}`, because the parts go
 * back into manifests. A `:` before the last `/` is a registry port, not a tag.
 * @example splitImage('registry.local:5000/apps/notes:1.2@sha256:ab…') // { name: 'registry.local:5000/apps/notes', tag: '1.2', digest: 'sha256:ab…' }
 */
export function splitImage(image: string): ImageParts {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  const tagged = colon > rest.lastIndexOf('/');
  return {
    name: tagged ? rest.slice(0, colon) : rest,
    ...(tagged ? { tag: rest.slice(colon + 1) } : {}),
    ...(digest === undefined ? {} : { digest }),
  };
}

/**
 * Whether a digest is one a registry can serve (`sha256:` + 64 hex digits, or sha512).
 * @example isImageDigest('sha256:' + '0'.repeat(64)) // true
 */
export function isImageDigest(digest: string): boolean {
  return DIGEST.test(digest);
}
