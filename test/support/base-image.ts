import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRegistry } from '../../src/ports/index.ts';
import { ensureHostBaseImage, type HostBaseImage } from '../../src/adapters/image-builder/host-base-image.ts';
import { MediaType, sha256Digest } from '../../src/adapters/oci/media-types.ts';
import { OciLayoutStore } from '../../src/adapters/oci/oci-layout-store.ts';
import type { ImageConfigFile, ManifestDocument } from '../../src/adapters/image-builder/oci-image.ts';
import { writeLayerFile } from '../../src/adapters/image-builder/tar-layer.ts';
import { TEST_CACHE_ROOT } from './cache-root.ts';
import type { TarEntry } from '../../src/adapters/image-builder/tar-writer.ts';

/** A base image for tests, assembled from this machine's node binary (nothing comes from the internet). */
export interface TestBaseImage {
  /** The OCI layout directory. */
  dir: string;
  /** `oci:<dir>:node`: an index with the host platform (runnable) and a fake other one. */
  ref: string;
  /** `oci:<dir>:node-<arch>`: a plain manifest for the host platform only. */
  hostRef: string;
  indexTag: string;
  hostTag: string;
  /** e.g. `linux/amd64`: the platform that really runs here. */
  hostPlatform: string;
  /** e.g. `linux/arm64`: its manifest points at a tiny layer without node; it cannot run. */
  otherPlatform: string;
  nodeBinary: string;
  /** The product's host base image this layout was made from. */
  host: HostBaseImage;
}

const FORMAT = 'slipway-test-base-v2';
const CREATED = '1970-01-01T00:00:00Z';

let memo: Promise<TestBaseImage> | undefined;

/**
 * Builds (once per machine, keyed by the host base image's digest) an OCI layout for tests: the
 * product's host base image ({@link ensureHostBaseImage}) under `node-<arch>`, and under `node` an
 * index adding a fake image for the other architecture, so that multi-platform builds can be tested
 * on one machine. Concurrent test processes build into temporary directories and the first rename
 * wins, so a half-written layout is never seen.
 * @example const base = await ensureBaseImage(); // base.ref === 'oci:/tmp/slipway-test-base/…:node'
 */
export function ensureBaseImage(options: { cacheRoot?: string; nodeBinary?: string } = {}): Promise<TestBaseImage> {
  if (!options.cacheRoot && !options.nodeBinary && memo) return memo;
  const promise = buildBaseImage(options.cacheRoot ?? join(TEST_CACHE_ROOT, 'slipway-test-base'), options.nodeBinary ?? defaultNodeBinary());
  if (!options.cacheRoot && !options.nodeBinary) memo = promise;
  return promise;
}

/** The smaller of the machine's node binaries: Debian's /usr/bin/node when present. */
function defaultNodeBinary(): string {
  return existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
}

interface PlatformDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform: { architecture: string; os: string; variant?: string };
}

async function buildBaseImage(cacheRoot: string, nodeBinary: string): Promise<TestBaseImage> {
  const host = await ensureHostBaseImage({ cacheDir: join(cacheRoot, 'host'), nodeBinary });
  const [, arch = '', variant] = host.platform.split('/');
  const other = arch === 'amd64' ? 'arm64' : 'amd64';
  const key = createHash('sha256').update(FORMAT).update(host.digest).digest('hex').slice(0, 16);
  const dir = join(cacheRoot, key);
  const result: TestBaseImage = {
    dir, indexTag: 'node', hostTag: `node-${arch}`, ref: `oci:${dir}:node`, hostRef: `oci:${dir}:node-${arch}`,
    hostPlatform: `linux/${arch}`, otherPlatform: `linux/${other}`, nodeBinary, host,
  };
  if (existsSync(join(dir, 'index.json'))) return result;
  await mkdir(cacheRoot, { recursive: true });
  const work = `${dir}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const store = new OciLayoutStore(work);
    await store.init();
    const hostManifest = await copyImage(new OciLayoutStore(host.dir), host.tag, store);
    const hostEntry: PlatformDescriptor = { ...hostManifest, platform: { architecture: arch, os: 'linux', ...(variant ? { variant } : {}) } };
    const fake = await addFakeImage(store, work, { architecture: other, os: 'linux', ...(other === 'arm64' ? { variant: 'v8' } : {}) });
    const index = await store.putJson(MediaType.ociIndex, {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [hostEntry, fake].sort((a, b) => a.platform.architecture.localeCompare(b.platform.architecture)),
    });
    await store.tag('node', index);
    await store.tag(`node-${arch}`, hostManifest);
    await rename(work, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished first: its layout is as good as ours.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return result;
}

/** Copies one image's manifest and blobs between layouts (hard links where the file system allows). */
async function copyImage(from: OciLayoutStore, tag: string, to: OciLayoutStore): Promise<{ mediaType: string; digest: string; size: number }> {
  const descriptor = await from.resolve(tag);
  const manifest = JSON.parse((await from.readBlob(descriptor.digest)).toString('utf8')) as ManifestDocument;
  for (const digest of [descriptor.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
    await link(from.blobPath(digest), to.blobPath(digest)).catch(() => to.putFile(digest, from.blobPath(digest)));
  }
  return { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
}

const PASSWD = 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1000:1000:app:/home/app:/usr/sbin/nologin\n';

/** A tiny image for the other architecture: enough for index and platform tests, not to run. */
async function addFakeImage(store: OciLayoutStore, work: string, platform: PlatformDescriptor['platform']): Promise<PlatformDescriptor> {
  const entries: TarEntry[] = [
    { path: 'etc/', type: 'dir', mode: 0o755 },
    { path: 'etc/passwd', type: 'file', mode: 0o644, content: Buffer.from(PASSWD) },
    { path: 'tmp/', type: 'dir', mode: 0o1777 },
  ];
  const file = join(work, `layer-${platform.architecture}.tar.gz`);
  const layer = await writeLayerFile(entries, file, { mtime: 0 });
  await store.putFile(layer.digest, file);
  await rm(file);
  const config: ImageConfigFile = {
    ...platform,
    created: CREATED,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created: CREATED, created_by: 'slipway test base', comment: 'placeholder for index tests; cannot run' }],
  };
  const manifest: ManifestDocument = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: await store.putJson(MediaType.ociConfig, config),
    layers: [{ mediaType: MediaType.ociLayerGzip, digest: layer.digest, size: layer.size }],
  };
  return { ...(await store.putJson(MediaType.ociManifest, manifest)), platform };
}

/** The base image as pushed to a registry. */
export interface RegistryBaseImage {
  /** `<host>/<repo>:node`: the two-platform index. */
  ref: string;
  /** `<host>/<repo>:node-<arch>`: the host platform's manifest. */
  hostRef: string;
  indexDigest: string;
  hostDigest: string;
}

const pushed = new Map<string, Promise<RegistryBaseImage>>();

/**
 * Copies the test base image into a registry repository (once per registry and repository in this
 * process): blobs first, then manifests by digest, then the tags.
 * @example const base = await ensureBaseInRegistry(registry, '127.0.0.1:5000', 'base/node');
 */
export function ensureBaseInRegistry(registry: ImageRegistry, host: string, repo: string): Promise<RegistryBaseImage> {
  const key = `${host}/${repo}`;
  let promise = pushed.get(key);
  if (!promise) {
    promise = pushBase(registry, host, repo);
    pushed.set(key, promise);
    promise.catch(() => pushed.delete(key));
  }
  return promise;
}

async function pushBase(registry: ImageRegistry, host: string, repo: string): Promise<RegistryBaseImage> {
  const base = await ensureBaseImage();
  const store = new OciLayoutStore(base.dir);
  const indexDescriptor = await store.resolve(base.indexTag);
  const indexBytes = await store.readBlob(indexDescriptor.digest);
  const index = JSON.parse(indexBytes.toString('utf8')) as { manifests: PlatformDescriptor[] };
  for (const entry of index.manifests) {
    const bytes = await store.readBlob(entry.digest);
    const manifest = JSON.parse(bytes.toString('utf8')) as ManifestDocument;
    for (const blob of [manifest.config, ...manifest.layers]) {
      await registry.pushBlob(host, repo, { digest: blob.digest, size: blob.size, open: () => store.openBlob(blob.digest) });
    }
    await registry.putManifest(host, repo, entry.digest, { mediaType: MediaType.ociManifest, bytes });
  }
  const hostDescriptor = await store.resolve(base.hostTag);
  const hostBytes = await store.readBlob(hostDescriptor.digest);
  await registry.putManifest(host, repo, base.hostTag, { mediaType: MediaType.ociManifest, bytes: hostBytes });
  await registry.putManifest(host, repo, base.indexTag, { mediaType: MediaType.ociIndex, bytes: indexBytes });
  return { ref: `${host}/${repo}:${base.indexTag}`, hostRef: `${host}/${repo}:${base.hostTag}`, indexDigest: sha256Digest(indexBytes), hostDigest: sha256Digest(hostBytes) };
}

const SERVER_JS = `import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
const port = Number(process.env.PORT ?? 8080);
createServer(async (req, res) => {
  if (req.url === '/healthz') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); return; }
  try {
    const body = await readFile(new URL('./public/index.html', import.meta.url));
    res.writeHead(200, { 'content-type': 'text/html' }); res.end(body);
  } catch { res.writeHead(404); res.end(); }
}).listen(port, '0.0.0.0', () => console.log('listening on ' + port));
`;

/**
 * Writes a tiny Node web app (server.js answering `/healthz`, a package.json and a few static
 * files) into `dir`, shaped like Slipway's templates.
 * @example await writeTestApp('/tmp/app'); // then entrypoint ['node', 'server.js'], workdir '/app'
 */
export async function writeTestApp(dir: string, options: { title?: string } = {}): Promise<void> {
  await mkdir(join(dir, 'public'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'test-app', private: true, type: 'module', main: 'server.js' }, null, 2) + '\n');
  await writeFile(join(dir, 'server.js'), SERVER_JS);
  await writeFile(join(dir, 'public', 'index.html'), `<!doctype html><title>${options.title ?? 'pomodoro'}</title><link rel="stylesheet" href="style.css"><h1>${options.title ?? 'pomodoro'}</h1><script src="app.js"></script>\n`);
  await writeFile(join(dir, 'public', 'style.css'), 'body { background: #111; color: #eee; font-family: sans-serif; }\n');
  await writeFile(join(dir, 'public', 'app.js'), 'document.querySelector("h1").textContent += " ready";\n');
}
