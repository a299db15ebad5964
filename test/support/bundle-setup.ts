import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.ts';

/**
 * Vitest global setup: bundles the command once before the tests start, so every test that runs
 * bin/slipway.cjs runs the current sources, as a fresh `npm ci` would. It also gives the run one
 * temporary folder (TMPDIR, which the test processes and everything they start inherit) and removes
 * it at the end: the state homes, repos and images tests make there add up to gigabytes a run.
 */
export default function bundleOnce(): () => void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'bundle.ts')], { stdio: ['ignore', 'ignore', 'inherit'] });
  // Caches meant to outlive the run stay in the machine's temporary folder (see cache-root.ts).
  process.env.SLIPWAY_TEST_CACHE_ROOT ??= tmpdir();
  const runDir = mkdtempSync(join(tmpdir(), 'slipway-tests-'));
  // Open to every user as /tmp is: some tests run the command as an unprivileged user.
  chmodSync(runDir, 0o1777);
  process.env.TMPDIR = runDir;
  return () => rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
}
