import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { brokenPodman } from '../../../test/support/broken-podman.ts';
import { podmanAvailable } from './podman-runtime.ts';
import { probePodman } from './podman-probe.ts';

const installed = await podmanAvailable(process.env.PATH);
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-podman-probe-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('probePodman', () => {
  it.skipIf(!installed)('runs a container with the real podman, with no image, and keeps the answer', async () => {
    const cacheDir = join(work, 'cache');
    const first = await probePodman({ cacheDir, path: process.env.PATH! });
    expect(first).toMatchObject({ usable: true, cached: false });
    expect(first.usable && first.version).toMatch(/podman version/);
    expect(await probePodman({ cacheDir, path: process.env.PATH! })).toMatchObject({ usable: true, cached: true });
  });

  it('finds a podman that cannot run containers, says what to install, and does not probe again until podman changes', async () => {
    const podman = brokenPodman(join(work, 'bin'));
    const cacheDir = join(work, 'cache');

    const first = await probePodman({ cacheDir, path: podman.path });
    expect(first).toMatchObject({ usable: false, installed: true, cached: false });
    expect(!first.usable && first.reason).toMatch(/cannot run a container here: .*container-init binary not found/);
    expect(!first.usable && first.fix).toMatch(/apt-get install podman runc catatonit/);
    expect(podman.runs()).toBe(1);

    expect(await probePodman({ cacheDir, path: podman.path })).toMatchObject({ usable: false, cached: true });
    expect(podman.runs()).toBe(1);

    // What the probe depends on changed (here podman itself): the kept answer no longer counts.
    await appendFile(join(podman.dir, 'podman'), '# reinstalled\n');
    expect(await probePodman({ cacheDir, path: podman.path })).toMatchObject({ usable: false, cached: false });
    expect(podman.runs()).toBe(2);

    expect(await probePodman({ cacheDir, path: podman.path, fresh: true })).toMatchObject({ usable: false, cached: false });
    expect(podman.runs()).toBe(3);
  });

  it('tells a missing podman from one that cannot run containers', async () => {
    const probe = await probePodman({ cacheDir: join(work, 'cache'), path: join(work, 'nowhere') });
    expect(probe).toMatchObject({ usable: false, installed: false, reason: 'podman is not installed' });
  });
});
