import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The error podman 4 gives for `run --init` when catatonit is not installed. */
export const MISSING_CATATONIT = 'Error: container-init binary not found on the host: stat /usr/libexec/podman/catatonit: no such file or directory';

/**
 * A `podman` that is installed (it answers `--version`) but cannot run containers, as on a machine
 * where catatonit was left out: every other command exits 125 with podman's own message. Put
 * `dir` first on PATH. `runs()` counts the `podman run` calls made.
 */
export function brokenPodman(dir: string): { dir: string; path: string; runs: () => number } {
  mkdirSync(dir, { recursive: true });
  const counter = join(dir, 'runs.log');
  writeFileSync(counter, '');
  writeFileSync(join(dir, 'podman'), [
    '#!/bin/sh',
    'if [ "$1" = "--version" ]; then echo "podman version 4.3.1"; exit 0; fi',
    `if [ "$1" = "run" ]; then echo run >> '${counter}'; fi`,
    `echo '${MISSING_CATATONIT}' >&2`,
    'exit 125',
    '',
  ].join('\n'));
  chmodSync(join(dir, 'podman'), 0o755);
  return {
    dir,
    path: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    runs: () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length,
  };
}
