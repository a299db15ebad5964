import type { Readable } from 'node:stream';
import { InputError } from '../../domain/errors.ts';
import type { BlobSource, PushBlobResult } from '../../ports/image-registry.ts';
import { digestVerifier } from './digest.ts';
import { drain, header, type HttpRequest, type HttpResponse } from './http-client.ts';
import { repositoryScopes } from './registry-auth.ts';
import { displayUrl, RegistryError } from './registry-error.ts';
import type { ScopeSet } from './www-authenticate.ts';

/** What an upload needs from the client: authenticated requests and error building. */
export interface UploadContext {
  /** `scheme://host/v2/`. */
  base: URL;
  chunkSize: number;
  signal?: AbortSignal;
  send(request: HttpRequest, scopes: ScopeSet): Promise<HttpResponse>;
  fail(request: HttpRequest, response: HttpResponse): Promise<never>;
  onMountRefused?(error: RegistryError): void;
}

/**
 * One upload attempt in a fresh session (a retry starts over here): a cross-repository mount when
 * `mountFrom` is given (201 = done; 202 = the registry opened a normal session instead), else
 * POST an empty body, then a single PUT streaming the blob — or, for blobs above `chunkSize`,
 * PATCHes of `chunkSize` bytes with `Content-Range`, each to the `Location` the last one returned,
 * then an empty PUT. The registry's final `Docker-Content-Digest` must name the blob.
 *
 * @example
 * await uploadBlob(context, 'apps/web', { digest, size, open: () => createReadStream(path) });
 */
export async function uploadBlob(context: UploadContext, repository: string, blob: BlobSource, mountFrom?: string): Promise<PushBlobResult> {
  const scopes = repositoryScopes(repository, 'push', mountFrom);
  const start: HttpRequest = { method: 'POST', url: new URL(`${repository}/blobs/uploads/`, context.base), signal: context.signal };
  if (mountFrom) {
    start.url.searchParams.set('mount', blob.digest);
    start.url.searchParams.set('from', mountFrom);
  }
  let opened: HttpResponse;
  try {
    opened = await context.send(start, scopes);
    if (mountFrom && (opened.status === 401 || opened.status === 403)) await context.fail(start, opened);
  } catch (error) {
    // Not allowed to read the source repository: a plain upload still does the job.
    if (!mountFrom || !(error instanceof RegistryError) || (error.status !== 401 && error.status !== 403)) throw error;
    context.onMountRefused?.(error);
    return uploadBlob(context, repository, blob);
  }
  if (mountFrom && opened.status === 201) {
    await drain(opened);
    checkDigestHeader(opened, blob.digest);
    return { uploaded: false, mounted: true, bytes: 0 };
  }
  if (opened.status !== 202) return context.fail(start, opened);
  let location = uploadLocation(opened);
  await drain(opened);

  const open = () => verifiedSource(blob);
  if (blob.size > context.chunkSize) {
    let offset = 0;
    for await (const chunk of chunksOf(open(), context.chunkSize)) {
      const patch: HttpRequest = {
        method: 'PATCH', url: location, body: chunk, signal: context.signal,
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.length - 1}` },
      };
      const patched = await context.send(patch, scopes);
      if (patched.status !== 202) return context.fail(patch, patched);
      location = uploadLocation(patched);
      await drain(patched);
      offset += chunk.length;
    }
  }
  const put: HttpRequest = { method: 'PUT', url: withDigest(location, blob.digest), signal: context.signal };
  if (blob.size <= context.chunkSize) {
    put.headers = { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) };
    put.body = open;
  }
  const done = await context.send(put, scopes);
  if (done.status !== 201) return context.fail(put, done);
  await drain(done);
  checkDigestHeader(done, blob.digest);
  return { uploaded: true, mounted: false, bytes: blob.size };
}

/**
 * Throws unless the response's `Docker-Content-Digest` (when present) equals `expected`.
 *
 * @example
 * checkDigestHeader(response, blob.digest);
 */
export function checkDigestHeader(response: HttpResponse, expected: string): void {
  const said = header(response, 'docker-content-digest');
  if (said !== undefined && said !== expected) {
    throw new RegistryError(`${displayUrl(response.url)} answered with Docker-Content-Digest ${said}, but the content is ${expected}`, {
      status: response.status, url: displayUrl(response.url),
      hint: 'The registry, or a proxy in front of it, changed the content; check the proxy and the registry storage.',
    });
  }
}

/** The next upload URL; a relative `Location` resolves against the URL that answered, query and all. */
function uploadLocation(response: HttpResponse): URL {
  const location = header(response, 'location');
  if (!location) throw new RegistryError(`${displayUrl(response.url)} opened an upload without a Location header`, { status: response.status, url: displayUrl(response.url) });
  return new URL(location, response.url);
}

/** The upload URL with `digest=` added, keeping what the registry put in its query (`_state=`). */
function withDigest(location: URL, digest: string): URL {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url;
}

/** The blob's bytes, failing the upload if they do not match its digest and size. */
function verifiedSource(blob: BlobSource): Readable {
  const source = blob.open();
  const verifier = digestVerifier(blob.digest, {
    size: blob.size,
    onMismatch: (actual, bytes) =>
      new InputError(`The blob ${blob.digest} (${blob.size} bytes) to upload read as ${bytes} bytes hashing to ${actual}.`, {
        hint: 'The local image content is damaged or changed while uploading; build the image again.',
      }),
  });
  source.on('error', (error) => verifier.destroy(error));
  // An aborted request destroys the verifier; the file (or whatever) behind it must close too.
  verifier.on('close', () => source.destroy());
  return source.pipe(verifier);
}

/** Re-cuts a stream into buffers of exactly `size` bytes (the last may be shorter). */
async function* chunksOf(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  try {
    for await (const piece of stream) {
      let data = piece as Buffer;
      while (length + data.length >= size) {
        const take = size - length;
        pending.push(data.subarray(0, take));
        yield Buffer.concat(pending);
        data = data.subarray(take);
        pending = [];
        length = 0;
      }
      if (data.length > 0) {
        pending.push(data);
        length += data.length;
      }
    }
    if (length > 0) yield Buffer.concat(pending);
  } finally {
    stream.destroy();
  }
}
