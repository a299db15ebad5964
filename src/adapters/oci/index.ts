// OCI image-layout storage and media types, shared by the image builder and the podman runtime.
export { OciLayoutStore, parseOciLayoutRef, REF_NAME_ANNOTATION } from './oci-layout-store.ts';
export { MediaType, canonicalJson, isIndexMediaType, isManifestMediaType, isSha256Digest, ociLayerMediaType, sha256Digest } from './media-types.ts';
export { HashTap } from './hash-tap.ts';
