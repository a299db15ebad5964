import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError, InputError } from '../../domain/errors.ts';
import { findInPath } from '../os/index.ts';
import { ensureHostBaseImage, type HostBaseImage } from './host-base-image.ts';
import { OciLayoutStore } from '../oci/index.ts';
import type { ImageConfigFile, ManifestDocument } from './oci-image.ts';

const run = promisify(execFile);
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const skopeo = findInPath('skopeo', PATH);
const tar = findInPath('tar', PATH);
// Debian's node is the smaller binary; the one running the tests serves where it is missing.
const nodeBinary = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
const nodeVersion = execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');

let work: string;
let first: HostBaseImage;
let racing: HostBaseImage[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-host-base-'));
  // Two callers on one empty cache at once: both must end with the same, complete layout.
  racing = await Promise.all([0, 1].map(() => ensureHostBaseImage({ cacheDir: join(work, 'a'), nodeBinary })));
  first = racing[0] as HostBaseImage;
  console.info(`host base image: cold build ${first.durationMs} ms, ${(first.size / 1e6).toFixed(1)} MB compressed (node ${first.nodeVersion})`);
}, 180_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function readImage(image: HostBaseImage): Promise<{ manifest: ManifestDocument; config: ImageConfigFile }> {
  const store = new OciLayoutStore(image.dir);
  const manifest = JSON.parse((await store.readBlob(image.digest)).toString('utf8')) as ManifestDocument;
  const config = JSON.parse((await store.readBlob(manifest.config.digest)).toString('utf8')) as ImageConfigFile;
  return { manifest, config };
}

describe('ensureHostBaseImage', () => {
  it('assembles a labelled image of the host node, leaving no partial directories behind', async () => {
    expect(first).toMatchObject({ cached: false, nodeVersion, tag: `node-${nodeVersion}`, ref: `oci:${first.dir}:node-${nodeVersion}` });
    expect(first.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(racing[1]?.digest).toBe(first.digest);
    expect(await readdir(join(work, 'a'))).toEqual([first.dir.split('/').at(-1)]);
    const { manifest, config } = await readImage(first);
    expect(manifest.layers).toHaveLength(1);
    expect(first.size).toBe(manifest.config.size + (manifest.layers[0]?.size ?? 0));
    expect(config.config?.Labels).toMatchObject({
      'org.opencontainers.image.title': 'node',
      'org.opencontainers.image.description': `Node ${nodeVersion} from the host, assembled by Slipway`,
    });
    expect(manifest.annotations?.['org.opencontainers.image.description']).toBe(`Node ${nodeVersion} from the host, assembled by Slipway`);
    expect(first.platform).toBe(`linux/${config.architecture}${config.variant ? `/${config.variant}` : ''}`);
    expect(config.created).toBe('1970-01-01T00:00:00Z');
  });

  it.skipIf(!tar)('puts node, its libraries and loader, a user 1000 and a sticky /tmp in the layer', async () => {
    const { manifest } = await readImage(first);
    const layer = new OciLayoutStore(first.dir).blobPath(manifest.layers[0]?.digest as string);
    const { stdout } = await run(tar as string, ['-tvzf', layer], { maxBuffer: 1024 * 1024 });
    const lines = stdout.split('\n');
    const ldd = execFileSync('ldd', [nodeBinary], { encoding: 'utf8' });
    const libc = /(\/\S*libc\.so\.6)/.exec(ldd)?.[1]?.slice(1);
    expect(lines.find((l) => l.endsWith(' usr/local/bin/node'))).toMatch(/^-rwxr-xr-x 0\/0 /);
    expect(lines.some((l) => libc && l.endsWith(` ${libc}`))).toBe(true);
    expect(lines.some((l) => /ld-linux[^ ]*\.so\.\d$/.test(l))).toBe(true);
    expect(lines.find((l) => l.endsWith(' tmp/'))).toMatch(/^drwxrwxrwt /);
    const { stdout: passwd } = await run(tar as string, ['-xzOf', layer, 'etc/passwd']);
    expect(passwd).toContain('app:x:1000:1000:');
  });

  it('gives the same digest in another cache, and answers from its cache quickly the second time', async () => {
    const other = await ensureHostBaseImage({ cacheDir: join(work, 'b'), nodeBinary });
    expect(other.cached).toBe(false);
    expect(other.digest).toBe(first.digest);
    const again = await ensureHostBaseImage({ cacheDir: join(work, 'a'), nodeBinary });
    expect(again).toMatchObject({ cached: true, digest: first.digest, dir: first.dir, tag: first.tag, nodeVersion, size: first.size });
    expect(again.durationMs).toBeLessThan(Math.max(first.durationMs / 4, 1000));
  }, 180_000);

  it.skipIf(!skopeo)('is an OCI layout skopeo reads the same way', async () => {
    const { stdout } = await run(skopeo as string, ['inspect', first.ref]);
    const inspected = JSON.parse(stdout) as { Digest: string; Architecture: string; Labels: Record<string, string>; Layers: string[] };
    expect(inspected.Digest).toBe(first.digest);
    expect(inspected.Architecture).toBe(first.platform.split('/')[1]);
    expect(inspected.Labels['org.opencontainers.image.version']).toBe(nodeVersion);
    expect(inspected.Layers).toHaveLength(1);
  });

  it('refuses a file that is not an ELF executable', async () => {
    const script = join(work, 'node.sh');
    await writeFile(script, '#!/bin/sh\necho v24.0.0\n', { mode: 0o755 });
    await expect(ensureHostBaseImage({ cacheDir: join(work, 'c'), nodeBinary: script })).rejects.toThrow(InputError);
    await expect(ensureHostBaseImage({ cacheDir: join(work, 'c'), nodeBinary: script })).rejects.toThrow(/not an ELF executable/);
    await expect(ensureHostBaseImage({ cacheDir: join(work, 'c'), nodeBinary: join(work, 'missing') })).rejects.toThrow(/cannot read the node binary/);
  });

  it.skipIf(!existsSync('/sbin/ldconfig'))('refuses a statically linked binary with a hint', async () => {
    // Debian's ldconfig is a static-pie executable: no loader, so no libraries to find.
    const error = await ensureHostBaseImage({ cacheDir: join(work, 'c'), nodeBinary: '/sbin/ldconfig' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/statically linked/);
    expect((error as InputError).hint).toMatch(/dynamically linked|\/usr\/bin\/node/);
  });

  it('says what to install when ldd is missing', async () => {
    const error = await ensureHostBaseImage({ cacheDir: join(work, 'c'), nodeBinary, ldd: join(work, 'no-ldd') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as ExternalServiceError).message).toMatch(/^ldd: cannot run/);
    expect((error as ExternalServiceError).hint).toMatch(/apt-get install libc-bin/);
  });

  it('refuses a platform the binary is not built for, and a binary that is not node', async () => {
    const other = process.arch === 'arm64' ? 'linux/amd64' : 'linux/arm64';
    await expect(ensureHostBaseImage({ cacheDir: join(work, 'c'), nodeBinary, platform: other })).rejects.toThrow(new RegExp(`not ${other}`));
    const notNode = findInPath('true', PATH) as string;
    await expect(ensureHostBaseImage({ cacheDir: join(work, 'c'), nodeBinary: notNode })).rejects.toThrow(/does not answer --version like node/);
    expect(existsSync(join(work, 'c')) ? (await readdir(join(work, 'c'))).filter((n) => n.includes('.partial-')) : []).toEqual([]);
  });
});
