import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.ts';

/**
 * Vitest global setup: bundles the command once before the tests start, so every test that runs
 * bin/slipway.cjs runs the current sources, as a fresh `npm ci` would.
 */
export default function bundleOnce(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'bundle.ts')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
