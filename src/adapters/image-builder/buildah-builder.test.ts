import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError, InputError } from '../../domain/errors.ts';
import type { BuildRequest } from '../../ports/index.ts';
import { ensureBaseImage, writeTestApp, type TestBaseImage } from '../../../test/support/base-image.ts';
import { findInPath } from '../os/index.ts';
import { BuildahBuilder } from './buildah-builder.ts';
import { OciLayoutStore } from '../oci/index.ts';

const run = promisify(execFile);
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const buildah = findInPath('buildah', PATH);
const skopeo = findInPath('skopeo', PATH);

let work: string;
let base: TestBaseImage;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-buildah-test-'));
  base = await ensureBaseImage();
  await writeTestApp(join(work, 'app'));
  await writeFile(join(work, 'app', 'Dockerfile'), `FROM oci:${base.dir}:${base.hostTag}\nWORKDIR /app\nCOPY server.js package.json /app/\nCOPY public /app/public\nUSER 1000:1000\nENTRYPOINT ["node", "server.js"]\n`);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function request(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    contextDir: join(work, 'app'),
    target: { kind: 'oci-layout', dir: join(work, 'out'), tag: 'v1' },
    base: base.hostRef,
    platforms: [base.hostPlatform as `${string}/${string}`],
    workdir: '/app',
    entrypoint: ['node', 'server.js'],
    labels: { 'org.opencontainers.image.revision': 'abc123' },
    ...overrides,
  };
}

function builder(): BuildahBuilder {
  // Its own storage under the test's directory, so nothing is left in the machine's image store.
  return new BuildahBuilder({ path: PATH, tmpDir: work, globalArgs: ['--root', join(work, 'storage'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs'] });
}

describe('BuildahBuilder', () => {
  it('says what to install when buildah is missing', async () => {
    const missing = new BuildahBuilder({ path: join(work, 'no-such-dir'), tmpDir: work });
    const error = await missing.build(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect((error as Error).message).toMatch(/apt-get install buildah/);
  });

  it('refuses contexts without a Dockerfile and several platforms', async () => {
    await expect(builder().build(request({ contextDir: work }))).rejects.toBeInstanceOf(buildah ? InputError : ExternalServiceError);
    await expect(builder().build(request({ platforms: ['linux/amd64', 'linux/arm64'] }))).rejects.toBeInstanceOf(buildah ? InputError : ExternalServiceError);
  });

  it.skipIf(!buildah || !skopeo)('builds a Dockerfile app and pushes it, reporting the pushed digest', async () => {
    const result = await builder().build(request());
    // buildah commits all of the Dockerfile's steps as one layer on top of the base (no --layers).
    expect(result.layers).toBe(2);
    expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect((await new OciLayoutStore(join(work, 'out')).resolve('v1')).digest).toBe(result.digest);
    const { stdout } = await run(skopeo as string, ['inspect', `oci:${join(work, 'out')}:v1`]);
    const inspected = JSON.parse(stdout) as { Digest: string; Labels: Record<string, string>; Created: string };
    expect(inspected.Digest).toBe(result.digest);
    expect(inspected.Labels['org.opencontainers.image.revision']).toBe('abc123');
    expect(inspected.Created).toBe('1970-01-01T00:00:00Z');
  });
});
