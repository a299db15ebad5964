import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findInPath } from '../os/index.ts';
import type { PodmanAccess } from './podman-runtime.ts';

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PROBE_TIMEOUT_MS = 60_000;

/** Whether podman can run a container here, and if not, why and what to install. */
export type PodmanProbe =
  | { usable: true; version: string; cached: boolean }
  | { usable: false; installed: boolean; reason: string; fix: string; version?: string; cached: boolean };

export interface PodmanProbeOptions extends PodmanAccess {
  /** Where the answer is kept (`<cacheDir>/podman-probe/<key>.json`) and the probe's scratch root is made. */
  cacheDir: string;
  /** Probe even when a kept answer matches (what `slipway doctor` does). */
  fresh?: boolean;
}

/**
 * Files podman needs to start a container the way Slipway starts one (`--init` needs catatonit,
 * `kube play` its pause image, made from catatonit too): installing or changing any of them makes a
 * kept answer stale.
 */
const DEPENDS_ON = [
  '/usr/libexec/podman/catatonit', '/usr/bin/catatonit', '/usr/libexec/podman/conmon', '/usr/bin/conmon',
  '/usr/sbin/runc', '/usr/bin/runc', '/usr/bin/crun', '/etc/containers/containers.conf', '/usr/share/containers/containers.conf',
];
const CONF_DIR = '/etc/containers/containers.conf.d';
const INSTALL_FIX = 'Install what podman needs to run containers: apt-get install podman runc catatonit (catatonit is only recommended by podman, so --no-install-recommends leaves it out); then run `slipway doctor`.';

/**
 * Finds out whether podman can run a container, for real: `podman run --rm --init` of `true` in a
 * root filesystem made of this machine's `/usr` (and `/lib` …) mounted read-only, so no image (and
 * no network) is needed. The answer is kept under `cacheDir`, keyed by podman's version and the files
 * the run depends on, so each machine pays for one probe until something is installed or changed.
 * @example const probe = await probePodman({ cacheDir: config.cache }); if (!probe.usable) console.log(probe.reason);
 */
export async function probePodman(options: PodmanProbeOptions): Promise<PodmanProbe> {
  const path = options.path ?? SYSTEM_PATH;
  const binary = options.podmanBinary?.includes('/') ? options.podmanBinary : findInPath(options.podmanBinary ?? 'podman', path);
  if (!binary) return { usable: false, installed: false, reason: 'podman is not installed', fix: INSTALL_FIX, cached: false };
  const env = { PATH: path, ...(options.env ?? {}) };
  const versionRun = await run(binary, ['--version'], env, 10_000);
  if (versionRun.code !== 0) {
    return { usable: false, installed: true, reason: `\`podman --version\` failed: ${lastLines(versionRun.output)}`, fix: INSTALL_FIX, cached: false };
  }
  const version = versionRun.output.trim();
  const key = probeKey(binary, version, env);
  // One file per key: homes sharing the cache with different podmans (or PATHs) keep their own answers.
  const cacheFile = join(options.cacheDir, 'podman-probe', `${key.slice(0, 32)}.json`);
  if (!options.fresh) {
    const kept = await readFile(cacheFile, 'utf8').then((text) => JSON.parse(text) as { key?: string; probe?: PodmanProbe }, () => undefined);
    if (kept?.key === key && kept.probe) return { ...kept.probe, cached: true };
  }
  const probe = await runProbe(binary, version, env, options.cacheDir);
  await mkdir(join(options.cacheDir, 'podman-probe'), { recursive: true });
  const partial = `${cacheFile}.partial-${process.pid}`;
  await writeFile(partial, JSON.stringify({ key, probe }));
  await rename(partial, cacheFile);
  return probe;
}

async function runProbe(binary: string, version: string, env: Record<string, string>, cacheDir: string): Promise<PodmanProbe> {
  await mkdir(cacheDir, { recursive: true });
  const scratch = await mkdtemp(join(cacheDir, 'podman-probe-'));
  try {
    const rootfs = join(scratch, 'rootfs');
    await mkdir(join(rootfs, 'usr'), { recursive: true });
    // The host's own programs and libraries, read-only: /usr, and /bin, /lib … as the host has them
    // (symlinks into /usr on a merged-/usr system, directories otherwise).
    const volumes = ['--volume', '/usr:/usr:ro'];
    for (const dir of ['bin', 'sbin', 'lib', 'lib32', 'lib64']) {
      const target = await readlink(`/${dir}`).catch(() => undefined);
      if (target !== undefined) await symlink(target.replace(/^\//, ''), join(rootfs, dir));
      else if (existsSync(`/${dir}`)) {
        await mkdir(join(rootfs, dir));
        volumes.push('--volume', `/${dir}:/${dir}:ro`);
      }
    }
    // The flags app:deploy uses that can fail on a machine (an init process, no capabilities,
    // a read-only root), with the host's `true` as the program.
    const result = await run(binary, [
      'run', '--rm', '--init', '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
      ...volumes, '--rootfs', rootfs, '/usr/bin/true',
    ], env, PROBE_TIMEOUT_MS);
    if (result.code === 0) return { usable: true, version, cached: false };
    const said = lastLines(result.output);
    const missingInit = /catatonit|container-init|pause binary|init binary/i.test(said);
    return {
      usable: false, installed: true, version, cached: false,
      reason: `podman cannot run a container here: ${said || `podman run exited with ${result.code}`}`,
      fix: missingInit ? INSTALL_FIX : 'Run `podman run --rm --init --rootfs <dir> /usr/bin/true` by hand to see what podman needs (on hosts where crun fails, set runtime = "runc" in containers.conf); then run `slipway doctor`.',
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** podman's version, where it was found, the user, and each file the probe depends on (its size and change time, or its absence). */
function probeKey(binary: string, version: string, env: Record<string, string>): string {
  const confs = (() => {
    try {
      return readdirSync(CONF_DIR).sort().map((name) => join(CONF_DIR, name));
    } catch {
      return [];
    }
  })();
  const files = [binary, ...DEPENDS_ON, ...confs].map((file) => {
    try {
      const stat = statSync(file);
      return `${file}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
    } catch {
      return `${file}:-`;
    }
  });
  const found = ['runc', 'crun', 'conmon', 'catatonit'].map((name) => `${name}=${findInPath(name, env.PATH ?? SYSTEM_PATH) ?? '-'}`);
  return createHash('sha256').update(JSON.stringify({ version, uid: process.getuid?.(), files, found })).digest('hex');
}

function run(binary: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (error) => resolve({ code: null, output: error.message }));
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join('\n');
}
