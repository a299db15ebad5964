import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ExternalServiceError, InputError } from '../../domain/errors.ts';
import { findInPath } from '../os/index.ts';
import { MediaType } from '../oci/index.ts';
import type { ImageConfigFile, ManifestDocument } from './oci-image.ts';
import { OciLayoutStore } from '../oci/index.ts';
import { formatPlatform, parsePlatform, platformMatches, type OciPlatform } from './platform.ts';
import { writeLayerFile } from './tar-layer.ts';
import type { TarEntry } from './tar-writer.ts';

export interface HostBaseImageOptions {
  /** Directory holding one OCI layout per distinct node binary (created when missing). */
  cacheDir: string;
  /** The node binary to put in the image, e.g. `/usr/bin/node`. */
  nodeBinary: string;
  /** Checked against the binary's ELF header (e.g. `linux/amd64`); defaults to what the binary is. */
  platform?: string;
  /** The `ldd` to ask for the binary's libraries; found in the usual system directories when unset. */
  ldd?: string;
}

export interface HostBaseImage {
  /** `oci:<dir>:<tag>`, usable as a build's `base`. */
  ref: string;
  dir: string;
  tag: string;
  /** Digest of the image manifest. */
  digest: string;
  /** e.g. `24.11.0` (no leading `v`). */
  nodeVersion: string;
  /** e.g. `linux/amd64`. */
  platform: string;
  /** Compressed bytes of the image (config and layer). */
  size: number;
  /** True when the layout was already in the cache. */
  cached: boolean;
  durationMs: number;
}

/** Bumped whenever the image's contents or shape change, so that old cache entries are not reused. */
export const HOST_BASE_FORMAT = 'slipway-host-base-v1';
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CREATED = '1970-01-01T00:00:00Z';
const PASSWD = 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1000:1000:app:/home/app:/usr/sbin/nologin\n';
const GROUP = 'root:x:0:\napp:x:1000:\n';
// Without it glibc asks DNS before /etc/hosts, so `localhost` and the names podman writes there resolve late or wrongly.
const NSSWITCH = 'passwd: files\ngroup: files\nhosts: files dns\n';
const STALE_PARTIAL_MS = 60 * 60 * 1000;

/**
 * Assembles (once per node binary and the libraries it links) a minimal Node base image from this
 * machine's files, so that images can be built and run with no registry and no internet: the binary
 * as `/usr/local/bin/node`, the libraries `ldd` lists and the loader, `/etc/passwd` with a user
 * 1000, `/tmp` 1777. Same files, same digest. Concurrent callers build into temporary directories
 * and rename into place; the first wins, so no one sees half a layout.
 * @example
 * const base = await ensureHostBaseImage({ cacheDir: '/var/lib/slipway/base', nodeBinary: '/usr/bin/node' });
 * await builder.build({ ...request, base: base.ref });
 */
export async function ensureHostBaseImage(options: HostBaseImageOptions): Promise<HostBaseImage> {
  const started = performance.now();
  const elf = await readElf(options.nodeBinary);
  const platform = checkPlatform(elf, options.platform, options.nodeBinary);
  const libraries = await linkedLibraries(options.nodeBinary, elf, options.ldd);
  const key = createHash('sha256').update(HOST_BASE_FORMAT).update(formatPlatform(platform)).update(await fileHash(options.nodeBinary));
  for (const library of libraries) key.update(`\0${library.path}\0`).update(await fileHash(library.real));
  const dir = join(options.cacheDir, `node-${key.digest('hex').slice(0, 20)}`);
  let cached = true;
  if (!(await stat(join(dir, 'index.json')).then(() => true, () => false))) {
    cached = false;
    await build(dir, options, platform, libraries);
  }
  const described = await describe(dir);
  return { ...described, dir, ref: `oci:${dir}:${described.tag}`, platform: formatPlatform(platform), cached, durationMs: Math.round(performance.now() - started) };
}

interface Library {
  /** The path the loader looks for (as `ldd` prints it). */
  path: string;
  /** The file it resolves to. */
  real: string;
}

async function build(dir: string, options: HostBaseImageOptions, platform: OciPlatform, libraries: Library[]): Promise<void> {
  await mkdir(options.cacheDir, { recursive: true });
  await removeStalePartials(options.cacheDir);
  const nodeVersion = await readNodeVersion(options.nodeBinary);
  const work = `${dir}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const store = new OciLayoutStore(work);
    await store.init();
    const file = join(work, 'layer.tar.gz');
    const layer = await writeLayerFile(await rootfsEntries(options.nodeBinary, libraries), file, { mtime: 0 });
    await store.putFile(layer.digest, file);
    await rm(file);
    const labels = {
      'org.opencontainers.image.title': 'node',
      'org.opencontainers.image.description': `Node ${nodeVersion} from the host, assembled by Slipway`,
      'org.opencontainers.image.version': nodeVersion,
    };
    const config: ImageConfigFile = {
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      created: CREATED,
      config: { Env: [`PATH=${SYSTEM_PATH}`], Cmd: ['node'], WorkingDir: '/', Labels: labels },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created: CREATED, created_by: 'slipway host base', comment: `node ${nodeVersion} and the ${libraries.length} libraries it links` }],
    };
    const manifest: ManifestDocument = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: await store.putJson(MediaType.ociConfig, config),
      layers: [{ mediaType: MediaType.ociLayerGzip, digest: layer.digest, size: layer.size }],
      annotations: labels,
    };
    await store.tag(tagFor(nodeVersion), await store.putJson(MediaType.ociManifest, manifest));
    await rename(work, dir).catch((error: NodeJS.ErrnoException) => {
      // Another process finished first: its layout holds the same bytes.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Tag, digest, version and size of the one image in a cached layout. */
async function describe(dir: string): Promise<{ tag: string; digest: string; nodeVersion: string; size: number }> {
  const store = new OciLayoutStore(dir);
  const [tag] = await store.tags();
  if (!tag) throw new ExternalServiceError('host base image', `the cached layout ${dir} holds no tagged image`, { hint: `Remove ${dir}; it is rebuilt on the next run.` });
  const descriptor = await store.resolve(tag);
  const manifest = JSON.parse((await store.readBlob(descriptor.digest)).toString('utf8')) as ManifestDocument;
  const config = JSON.parse((await store.readBlob(manifest.config.digest)).toString('utf8')) as ImageConfigFile;
  const nodeVersion = config.config?.Labels?.['org.opencontainers.image.version'] ?? tag.replace(/^node-/, '');
  const size = manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
  return { tag, digest: descriptor.digest, nodeVersion, size };
}

function tagFor(nodeVersion: string): string {
  const tag = `node-${nodeVersion}`;
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag) ? tag : 'node';
}

/** Leftovers of builds whose process died: removed once they are clearly not being written any more. */
async function removeStalePartials(cacheDir: string): Promise<void> {
  for (const name of await readdir(cacheDir).catch(() => [] as string[])) {
    if (!name.includes('.partial-')) continue;
    const path = join(cacheDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_PARTIAL_MS) await rm(path, { recursive: true, force: true });
  }
}

async function rootfsEntries(nodeBinary: string, libraries: Library[]): Promise<TarEntry[]> {
  const files = new Map<string, TarEntry>();
  const addFile = (entry: TarEntry) => files.set(entry.path, entry);
  addFile({ path: 'etc/passwd', type: 'file', mode: 0o644, content: Buffer.from(PASSWD) });
  addFile({ path: 'etc/group', type: 'file', mode: 0o644, content: Buffer.from(GROUP) });
  addFile({ path: 'etc/nsswitch.conf', type: 'file', mode: 0o644, content: Buffer.from(NSSWITCH) });
  addFile({ path: 'usr/local/bin/node', type: 'file', mode: 0o755, size: (await stat(nodeBinary)).size, source: nodeBinary });
  for (const library of libraries) {
    // Stored under the name the loader looks for, with the bytes of the file it resolves to.
    addFile({ path: library.path.replace(/^\/+/, ''), type: 'file', mode: 0o755, size: (await stat(library.real)).size, source: library.real });
  }
  addFile({ path: 'tmp/', type: 'dir', mode: 0o1777 });
  addFile({ path: 'home/app/', type: 'dir', mode: 0o755 });
  return withParentDirectories([...files.values()]);
}

/**
 * The entries of a root file system layer with every parent directory they lack (0755), in byte
 * order of their paths, as layers are written.
 * @example withParentDirectories([{ path: 'usr/bin/git', type: 'file', … }]) // usr/, usr/bin/, usr/bin/git
 */
export function withParentDirectories(entries: readonly TarEntry[]): TarEntry[] {
  const all = new Map(entries.map((entry) => [entry.path, entry]));
  for (const entry of entries) {
    const parts = entry.path.replace(/\/$/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = `${parts.slice(0, i).join('/')}/`;
      if (!all.has(parent)) all.set(parent, { path: parent, type: 'dir', mode: 0o755 });
    }
  }
  return [...all.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

interface ElfInfo {
  platform: OciPlatform;
  /** The loader named in PT_INTERP; absent for a static binary. */
  interpreter?: string;
}

const ELF_MACHINES: Record<number, string> = { 0x3e: 'amd64', 0xb7: 'arm64', 0x28: 'arm', 0x03: '386', 0xf3: 'riscv64', 0x15: 'ppc64le', 0x16: 's390x' };
const PT_INTERP = 3;

/** Reads the ELF header: which architecture, and whether a loader (so shared libraries) is needed. */
async function readElf(binary: string): Promise<ElfInfo> {
  const notNode = { hint: 'Point nodeBinary at a Linux node executable, e.g. /usr/bin/node or node_modules/node/bin/node.' };
  const handle = await open(binary, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read the node binary ${binary}: ${error.code ?? error.message}`, notNode);
  });
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, 64, 0);
    if (bytesRead < 64 || head.readUInt32BE(0) !== 0x7f454c46) throw new InputError(`${binary} is not an ELF executable, so Slipway cannot assemble a Linux image from it`, notNode);
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    const u16 = (b: Buffer, at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b: Buffer, at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
    const word = (b: Buffer, at: number) => (is64 ? Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : u32(b, at));
    const machine = u16(head, 18);
    const architecture = ELF_MACHINES[machine] ?? `elf-machine-${machine}`;
    const phoff = word(head, is64 ? 32 : 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    await handle.read(table, 0, table.length, phoff);
    let interpreter: string | undefined;
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize;
      if (u32(table, at) !== PT_INTERP) continue;
      const offset = word(table, at + (is64 ? 8 : 4));
      const size = word(table, at + (is64 ? 32 : 16));
      const text = Buffer.alloc(size);
      await handle.read(text, 0, size, offset);
      interpreter = text.toString('latin1').replace(/\0+$/, '');
    }
    return { platform: parsePlatform(`linux/${architecture}${architecture === 'arm' ? '/v7' : ''}`), ...(interpreter ? { interpreter } : {}) };
  } finally {
    await handle.close();
  }
}

const HOST_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', riscv64: 'riscv64', ppc64: 'ppc64le', s390x: 's390x' };

function checkPlatform(elf: ElfInfo, wanted: string | undefined, binary: string): OciPlatform {
  if (wanted && !platformMatches(parsePlatform(wanted), elf.platform)) {
    throw new InputError(`${binary} is built for ${formatPlatform(elf.platform)}, not ${wanted}`, { hint: `Use a node binary for ${wanted}, or ask for ${formatPlatform(elf.platform)}.` });
  }
  // ldd and `node --version` must run the binary, so it has to be of this machine's architecture.
  if (HOST_ARCH[process.arch] !== elf.platform.architecture) {
    throw new InputError(`${binary} is built for ${formatPlatform(elf.platform)}, which this ${process.arch} machine cannot run`, { hint: 'Assemble the base image on a machine of that architecture, or use a base image from a registry.' });
  }
  return wanted ? parsePlatform(wanted) : elf.platform;
}

/** The libraries `ldd` lists (the loader included, the vDSO left out), each with the file it resolves to. */
async function linkedLibraries(binary: string, elf: ElfInfo, lddOption: string | undefined): Promise<Library[]> {
  if (!elf.interpreter) {
    throw new InputError(`${binary} is statically linked; Slipway assembles base images from a dynamically linked node and the libraries it loads`, {
      hint: 'Use the node of a distribution package (/usr/bin/node) or of nodejs.org / the node-linux-* npm packages.',
    });
  }
  const installHint = 'Install it (Debian/Ubuntu: `apt-get install libc-bin`; Alpine: `apk add musl-utils`), or pass the path of ldd.';
  const ldd = lddOption ?? findInPath('ldd', SYSTEM_PATH);
  if (!ldd) throw new ExternalServiceError('ldd', 'ldd is not installed, and Slipway needs it to find the libraries node loads', { hint: installHint });
  const { code, stdout, stderr } = await runCaptured(ldd, [binary], 30_000).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'EACCES') throw new ExternalServiceError('ldd', `cannot run ${ldd} (${error.code})`, { hint: installHint });
    throw new ExternalServiceError('ldd', `running ${ldd} failed: ${error.message}`, { cause: error });
  });
  if (code !== 0) throw new ExternalServiceError('ldd', `ldd ${binary} failed (exit ${code}): ${(stderr || stdout).trim().split('\n').slice(-3).join(' ')}`, { hint: 'Check that the binary runs on this machine.' });
  const paths = new Set<string>([elf.interpreter]);
  for (const line of stdout.split('\n')) {
    const missing = /^\s*(\S+)\s*=>\s*not found/.exec(line);
    if (missing) throw new InputError(`${binary} needs ${missing[1]}, which this machine does not have`, { hint: `Install the package that provides ${missing[1]}, or use another node binary.` });
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match?.[1]) paths.add(match[1]);
  }
  const libraries: Library[] = [];
  for (const path of [...paths].sort()) libraries.push({ path, real: await realpath(path) });
  return libraries;
}

async function readNodeVersion(binary: string): Promise<string> {
  const result = await runCaptured(binary, ['--version'], 30_000).catch((error: Error) => {
    throw new InputError(`cannot run ${binary} --version: ${error.message}`, { hint: 'Check that the binary is executable.' });
  });
  const match = /^v(\d+\.\d+\.\d+[\w.+-]*)\s*$/.exec(result.stdout);
  if (result.code !== 0 || !match?.[1]) throw new InputError(`${binary} does not answer --version like node does`, { hint: 'Point nodeBinary at a node executable.' });
  return match[1];
}

/** Runs a program with a minimal environment and a time limit, collecting its output. */
function runCaptured(program: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: { PATH: SYSTEM_PATH, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === null) return reject(new Error(`${program} ended by ${signal ?? 'a signal'} (time limit ${timeoutMs} ms)`));
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

const hashes = new Map<string, { stamp: string; hash: string }>();

/** sha256 of a file; remembered per path while size, mtime and inode stay the same. */
async function fileHash(path: string): Promise<string> {
  const info = await stat(path, { bigint: true });
  const stamp = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}`;
  const known = hashes.get(path);
  if (known?.stamp === stamp) return known.hash;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const hex = hash.digest('hex');
  hashes.set(path, { stamp, hash: hex });
  return hex;
}
