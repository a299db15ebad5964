import type { Readable } from 'node:stream';
import { InputError, SlipwayError } from '../../domain/errors.ts';
import type { BlobSource, ImageRegistry, ManifestResponse, PushBlobResult, RegistryCatalog } from '../../ports/image-registry.ts';
import { checkDigestHeader, uploadBlob, type UploadContext } from './blob-upload.ts';
import type { CredentialStore } from './docker-config.ts';
import { digestOf, digestVerifier } from './digest.ts';
import { drain, header, HttpClient, readBody, type HttpRequest, type HttpResponse } from './http-client.ts';
import { isDigest, normalizeRegistryHost, validateDigest, validateRepository } from './image-ref.ts';
import { RegistryAuth, repositoryScopes } from './registry-auth.ts';
import { connectionError, displayUrl, RegistryError, statusError } from './registry-error.ts';
import { DEFAULT_RETRY, parseRetryAfter, withRetry, type RetryPolicy } from './retry.ts';
import type { ScopeSet } from './www-authenticate.ts';

/** Every manifest type Slipway reads; docker-registry 2.8 answers 404 to a GET that omits the OCI ones. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** The slice of a pino logger the client uses; never given credentials. */
export interface RegistryLogger {
  debug(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface OciRegistryOptions {
  credentials?: CredentialStore;
  /** Hosts (`host:port`) spoken to over plain HTTP; every other registry gets HTTPS. */
  insecureRegistries?: string[];
  /** An extra CA certificate (PEM) to trust, e.g. a homelab's own CA. */
  ca?: string | Buffer;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  /** Blobs larger than this many bytes are uploaded in PATCH chunks of this size (default 16 MiB). */
  chunkSize?: number;
  /** Socket idle timeout per request (default 60 s). */
  timeoutMs?: number;
  /** Entries asked for per page of the catalog and tag lists (default 1000). */
  pageSize?: number;
  logger?: RegistryLogger;
}

/**
 * The OCI distribution API client: blobs (HEAD, GET, upload with mount, monolithic or chunked),
 * manifests (GET, HEAD, PUT, DELETE) with every digest the registry states checked against the bytes;
 * the catalog and tag lists; Basic and Bearer token auth; retries with backoff on 429/5xx and dropped connections.
 *
 * @example
 * const registry = new OciRegistry({ credentials: new DockerConfigCredentials({ paths }), insecureRegistries: ['127.0.0.1:5000'] });
 * await registry.pushBlob('127.0.0.1:5000', 'apps/web', { digest, size, open: () => createReadStream(file) });
 * const digest = await registry.putManifest('127.0.0.1:5000', 'apps/web', '1.0', { mediaType, bytes });
 */
export class OciRegistry implements ImageRegistry, RegistryCatalog {
  readonly #http: HttpClient;
  readonly #auth: RegistryAuth;
  readonly #insecure: Set<string>;
  readonly #retry: RetryPolicy;
  readonly #chunkSize: number;
  readonly #logger: RegistryLogger | undefined;
  readonly #pageSize: number;

  constructor(options: OciRegistryOptions = {}) {
    this.#http = new HttpClient({ ca: options.ca, userAgent: options.userAgent ?? 'slipway', timeoutMs: options.timeoutMs });
    this.#auth = new RegistryAuth({ http: this.#http, credentials: options.credentials });
    this.#insecure = new Set((options.insecureRegistries ?? []).map((host) => host.toLowerCase()));
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#chunkSize = Math.max(1, options.chunkSize ?? 16 * 1024 * 1024);
    this.#logger = options.logger;
    this.#pageSize = Math.max(1, options.pageSize ?? 1000);
  }

  async hasBlob(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    return this.#blobExists(registry, repository, digest, repositoryScopes(repository, 'pull'), signal);
  }

  async getBlob(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<Readable> {
    validateDigest(digest);
    const request: HttpRequest = { method: 'GET', url: this.#url(registry, repository, `blobs/${digest}`), signal };
    const response = await this.#retrying(registry, signal, () => this.#expect(registry, request, repositoryScopes(repository, 'pull'), [200]));
    checkDigestHeader(response, digest);
    const verifier = digestVerifier(digest, {
      onMismatch: (actual) =>
        new RegistryError(`the blob ${digest} from ${displayUrl(response.url)} hashes to ${actual}`, {
          url: displayUrl(response.url), hint: 'The registry storage, or a proxy in front of it, altered the blob.',
        }),
    });
    response.body.on('error', (error) => verifier.destroy(connectionError({ method: 'GET', url: response.url, host: registry, error })));
    // A reader that stops early must not leave the connection hanging.
    verifier.on('close', () => response.body.destroy());
    return response.body.pipe(verifier);
  }

  async pushBlob(registry: string, repository: string, blob: BlobSource, options: { mountFrom?: string; signal?: AbortSignal } = {}): Promise<PushBlobResult> {
    const { mountFrom, signal } = options;
    if (mountFrom) validateRepository(mountFrom);
    // One scope set for the HEAD and the upload, so a token service is asked once.
    const scopes = repositoryScopes(repository, 'push', mountFrom);
    if (await this.#blobExists(registry, repository, blob.digest, scopes, signal)) return { uploaded: false, mounted: false, bytes: 0 };
    const context: UploadContext = {
      base: this.#url(registry, '', ''),
      chunkSize: this.#chunkSize,
      signal,
      send: (request, scopeSet) => this.#send(registry, request, scopeSet),
      fail: (request, response) => this.#fail(registry, request, response),
      onMountRefused: (error) => this.#logger?.warn({ registry, repository, mountFrom, status: error.status }, 'mount refused; uploading instead'),
    };
    const result = await this.#retrying(registry, signal, () => uploadBlob(context, repository, blob, mountFrom));
    this.#logger?.debug({ registry, repository, digest: blob.digest, ...result }, 'blob pushed');
    return result;
  }

  async getManifest(registry: string, repository: string, reference: string, signal?: AbortSignal): Promise<ManifestResponse> {
    const request = this.#manifestRequest(registry, repository, reference, 'GET', signal);
    return this.#retrying(registry, signal, async () => {
      const response = await this.#expect(registry, request, repositoryScopes(repository, 'pull'), [200]);
      const bytes = await readBody(response, MAX_MANIFEST_BYTES);
      const digest = digestOf(bytes, isDigest(reference) ? reference : 'sha256:');
      if (isDigest(reference) && digest !== reference) {
        throw new RegistryError(`the manifest ${reference} from ${displayUrl(response.url)} hashes to ${digest}`, {
          url: displayUrl(response.url), hint: 'The registry storage, or a proxy in front of it, altered the manifest.',
        });
      }
      checkDigestHeader(response, digest);
      return { mediaType: manifestMediaType(response, bytes), digest, bytes };
    });
  }

  /**
   * The digest, media type and size of a manifest without fetching it (HEAD), or undefined when
   * the registry does not have it.
   *
   * @example
   * await registry.headManifest('127.0.0.1:5000', 'apps/web', '1.0') // { digest: 'sha256:…', mediaType, size }
   */
  async headManifest(registry: string, repository: string, reference: string, signal?: AbortSignal): Promise<{ digest: string | undefined; mediaType: string; size: number } | undefined> {
    const request = this.#manifestRequest(registry, repository, reference, 'HEAD', signal);
    return this.#retrying(registry, signal, async () => {
      const response = await this.#expect(registry, request, repositoryScopes(repository, 'pull'), [200, 404]);
      await drain(response);
      if (response.status === 404) return undefined;
      const digest = header(response, 'docker-content-digest');
      if (isDigest(reference)) checkDigestHeader(response, reference);
      return { digest, mediaType: (header(response, 'content-type') ?? '').split(';')[0]!.trim(), size: Number(header(response, 'content-length') ?? 0) };
    });
  }

  async putManifest(registry: string, repository: string, reference: string, manifest: { mediaType: string; bytes: Buffer; digest?: string }, signal?: AbortSignal): Promise<string> {
    const digest = manifest.digest ?? digestOf(manifest.bytes, isDigest(reference) ? reference : 'sha256:');
    if (isDigest(reference) && digest !== reference) {
      throw new InputError(`The manifest to store under ${reference} hashes to ${digest}.`, { hint: 'Store a manifest under its own digest, or under a tag.' });
    }
    const request: HttpRequest = {
      ...this.#manifestRequest(registry, repository, reference, 'PUT', signal),
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
    };
    await this.#retrying(registry, signal, async () => {
      const response = await this.#expect(registry, request, repositoryScopes(repository, 'push'), [201]);
      await drain(response);
      checkDigestHeader(response, digest);
    });
    this.#logger?.debug({ registry, repository, reference, digest }, 'manifest stored');
    return digest;
  }

  async listRepositories(registry: string, signal?: AbortSignal): Promise<string[]> {
    return this.#listPages(registry, this.#url(registry, '', '_catalog'), 'repositories', new Map([['registry:catalog', new Set(['*'])]]), signal);
  }

  async listTags(registry: string, repository: string, signal?: AbortSignal): Promise<string[]> {
    return this.#listPages(registry, this.#url(registry, repository, 'tags/list'), 'tags', repositoryScopes(repository, 'pull'), signal);
  }

  async deleteManifest(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    validateDigest(digest);
    const request: HttpRequest = { method: 'DELETE', url: this.#url(registry, repository, `manifests/${digest}`), signal };
    const response = await this.#retrying(registry, signal, async () => {
      // 405 UNSUPPORTED is a registry that keeps everything; the caller says how to allow deletes.
      const answer = await this.#expect(registry, request, repositoryScopes(repository, 'delete'), [202, 200, 404]);
      await drain(answer);
      return answer;
    });
    this.#logger?.debug({ registry, repository, digest, status: response.status }, 'manifest deleted');
    return response.status !== 404;
  }

  /** Closes idle keep-alive connections (lets a short-lived process exit at once). */
  close(): void {
    this.#http.close();
  }

  async #blobExists(registry: string, repository: string, digest: string, scopes: ScopeSet, signal?: AbortSignal): Promise<boolean> {
    validateDigest(digest);
    const request: HttpRequest = { method: 'HEAD', url: this.#url(registry, repository, `blobs/${digest}`), signal };
    return this.#retrying(registry, signal, async () => {
      const response = await this.#expect(registry, request, scopes, [200, 404]);
      await drain(response);
      if (response.status === 200) checkDigestHeader(response, digest);
      return response.status === 200;
    });
  }

  /** Follows a paginated list (`Link: <…>; rel="next"`) and joins the `field` of every page. */
  async #listPages(registry: string, first: URL, field: 'repositories' | 'tags', scopes: ScopeSet, signal?: AbortSignal): Promise<string[]> {
    const items: string[] = [];
    let url: URL | undefined = new URL(first);
    url.searchParams.set('n', String(this.#pageSize));
    for (let page = 0; url && page < 1000; page++) {
      const request: HttpRequest = { method: 'GET', url, signal, headers: { accept: 'application/json' } };
      const { body, next } = await this.#retrying(registry, signal, async () => {
        const response = await this.#expect(registry, request, scopes, [200, 404]);
        const bytes = await readBody(response, MAX_MANIFEST_BYTES);
        return { body: response.status === 404 ? {} : (JSON.parse(bytes.toString('utf8') || '{}') as Record<string, unknown>), next: nextPage(response, request.url) };
      });
      const listed = body[field];
      if (Array.isArray(listed)) items.push(...listed.filter((item): item is string => typeof item === 'string'));
      url = next;
    }
    return items;
  }

  #manifestRequest(registry: string, repository: string, reference: string, method: 'GET' | 'HEAD' | 'PUT', signal?: AbortSignal): HttpRequest {
    if (isDigest(reference)) validateDigest(reference);
    else if (!/^[\w][\w.-]{0,127}$/.test(reference)) throw new InputError(`The tag "${reference}" is not valid.`);
    return { method, url: this.#url(registry, repository, `manifests/${reference}`), signal, headers: method === 'PUT' ? {} : { accept: MANIFEST_MEDIA_TYPES.join(', ') } };
  }

  #url(registry: string, repository: string, path: string): URL {
    const host = normalizeRegistryHost(registry);
    if (repository) validateRepository(repository);
    const scheme = this.#insecure.has(host.toLowerCase()) ? 'http' : 'https';
    return new URL(`${scheme}://${host}/v2/${repository ? `${repository}/` : ''}${path}`);
  }

  #retrying<T>(registry: string, signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
    return withRetry(this.#retry, operation, {
      signal,
      onRetry: (error, attempt, delayMs) =>
        this.#logger?.warn({ registry, attempt, delayMs, status: error.status, code: error.errorCode, url: error.url }, 'registry request failed; retrying'),
    });
  }

  /** Sends an authenticated request and fails unless the status is one of `ok`. */
  async #expect(registry: string, request: HttpRequest, scopes: ScopeSet, ok: number[]): Promise<HttpResponse> {
    const response = await this.#send(registry, request, scopes);
    if (!ok.includes(response.status)) return this.#fail(registry, request, response);
    return response;
  }

  /** Sends a request with whatever authorization the registry wants, answering its 401 challenges. */
  async #send(registry: string, request: HttpRequest, scopes: ScopeSet): Promise<HttpResponse> {
    const host = normalizeRegistryHost(registry);
    let authorization = await this.#auth.authorization(host, scopes, request.signal);
    let response = await this.#raw(host, request, authorization);
    // At most twice: the first challenge, then once more for a token short of a scope.
    for (let round = 0; response.status === 401 && round < 2; round++) {
      const next = await this.#auth.challenge(host, scopes, response, authorization, request.signal);
      if (!next) break;
      await drain(response);
      authorization = next;
      response = await this.#raw(host, request, authorization);
    }
    return response;
  }

  async #raw(host: string, request: HttpRequest, authorization: string | undefined): Promise<HttpResponse> {
    const headers = { ...request.headers, ...(authorization ? { authorization } : {}) };
    try {
      const response = await this.#http.send({ ...request, headers });
      this.#logger?.debug({ method: request.method, url: displayUrl(request.url), status: response.status }, 'registry request');
      return response;
    } catch (error) {
      if (error instanceof SlipwayError) throw error;
      throw connectionError({ method: request.method, url: request.url, host, error });
    }
  }

  async #fail(registry: string, request: HttpRequest, response: HttpResponse): Promise<never> {
    const body = request.method === 'HEAD' ? Buffer.alloc(0) : await readBody(response, 64 * 1024).catch(() => Buffer.alloc(0));
    throw statusError({
      method: request.method, url: response.url, status: response.status, body, host: normalizeRegistryHost(registry),
      retryAfterMs: parseRetryAfter(header(response, 'retry-after')),
      hasCredentials: await this.#auth.hasCredentials(normalizeRegistryHost(registry)),
    });
  }
}

/** The manifest's media type: the Content-Type the registry stored, else the `mediaType` field. */
function manifestMediaType(response: HttpResponse, bytes: Buffer): string {
  const contentType = (header(response, 'content-type') ?? '').split(';')[0]!.trim();
  if (MANIFEST_MEDIA_TYPES.includes(contentType)) return contentType;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    if (typeof parsed.mediaType === 'string') return parsed.mediaType;
  } catch {
    // not JSON: fall through to what the registry said
  }
  return contentType;
}

/** The next page of a list, from its `Link: </v2/…?last=x&n=100>; rel="next"` header (same origin only). */
function nextPage(response: HttpResponse, current: URL): URL | undefined {
  const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(response, 'link') ?? '');
  if (!link) return undefined;
  const next = new URL(link[1]!, current);
  return next.origin === current.origin ? next : undefined;
}
