import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { brokenPodman } from '../../test/support/broken-podman.ts';
import { loadConfig } from '../config/index.ts';
import { ConfigError } from '../domain/index.ts';
import { podmanAvailable } from '../adapters/runtime/podman-runtime.ts';
import { chooseRuntime, runtimeNameOf } from './runtime-choice.ts';

const installed = await podmanAvailable(process.env.PATH);
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-runtime-choice-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function choose(runtime: string, path: string) {
  await writeFile(join(work, 'slipway.yaml'), `local:\n  runtime: ${runtime}\n`);
  const config = loadConfig({ env: { SLIPWAY_HOME: join(work, 'home'), SLIPWAY_CACHE: join(work, 'cache') }, cwd: work, homedir: work });
  return chooseRuntime(config, { nodeBinary: process.execPath, path }, () => '');
}

describe('chooseRuntime', () => {
  it('auto: runs apps as processes when podman is installed but cannot run containers, and says why', async () => {
    const podman = brokenPodman(join(work, 'bin'));
    const choice = await choose('auto', podman.path);
    expect(choice.runtime.name).toBe('process');
    expect(choice.note).toMatch(/podman is installed but cannot run containers \(podman cannot run a container here: .*container-init binary not found/);
    // The answer is kept: the next command does not run podman again.
    await choose('auto', podman.path);
    expect(podman.runs()).toBe(1);
  });

  it.skipIf(!installed)('auto: podman when podman can run containers', async () => {
    const choice = await choose('auto', process.env.PATH!);
    expect(choice.runtime.name).toBe('podman');
    expect(choice.note).toBeUndefined();
  });

  it('auto without podman: processes, with nothing to explain', async () => {
    const choice = await choose('auto', join(work, 'nowhere'));
    expect(choice.runtime.name).toBe('process');
    expect(choice.note).toBeUndefined();
  });

  it.each(['podman', 'kube'])('%s with a podman that cannot run containers is a ConfigError saying what to install', async (runtime) => {
    const podman = brokenPodman(join(work, 'bin'));
    const error = await choose(runtime, podman.path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(new RegExp(`local.runtime is ${runtime}, but podman cannot run a container here`));
    expect((error as ConfigError).hint).toMatch(/apt-get install podman runc catatonit/);
  });

  it('keeps every runtime at hand by name, for apps a runtime other than today\'s started', async () => {
    const choice = await choose('process', join(work, 'nowhere'));
    expect((await choice.named('podman'))?.name).toBe('podman');
    expect((await choice.named('podman-kube'))?.name).toBe('podman-kube');
    expect(await choice.named('nonsense')).toBeUndefined();
  });

  it('tells the runtime that started an app from its recorded handle, also one recorded before the name was', () => {
    expect(runtimeNameOf({ runtime: 'process', pid: 1 })).toBe('process');
    expect(runtimeNameOf({ pid: 1, port: 2, dir: '/d' })).toBe('process');
    expect(runtimeNameOf({ container: 'slipway-notes', id: 'x' })).toBe('podman');
    expect(runtimeNameOf({ pod: 'notes-pod', container: 'notes-pod-notes' })).toBe('podman-kube');
    expect(runtimeNameOf(undefined)).toBeUndefined();
  });
});
