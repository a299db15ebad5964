export { OciRegistry, MANIFEST_MEDIA_TYPES, type OciRegistryOptions, type RegistryLogger } from './oci-registry.ts';
export { DockerConfigCredentials, defaultDockerConfigPaths, parseAuths, type CredentialStore, type RegistryCredentials } from './docker-config.ts';
export { parseImageRef, formatImageRef, normalizeRegistryHost, validateRepository, validateDigest, isDigest, DOCKER_HUB_REGISTRY } from './image-ref.ts';
export { RegistryError, type RegistryErrorDetails } from './registry-error.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
export { digestOf } from './digest.ts';
