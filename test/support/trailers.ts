import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** An app's commits in one of a home's bare repositories (`apps.git`, `gitops.git`), newest first, read from their trailers. */
export function commitsOf(home: string, bare: string, app: string): Array<{ sha: string; run: string }> {
  const dir = join(home, 'git', bare);
  const hasMain = execFileSync('git', ['--git-dir', dir, 'for-each-ref', 'refs/heads/main'], { encoding: 'utf8' }).trim() !== '';
  if (!hasMain) return [];
  const out = execFileSync('git', ['--git-dir', dir, 'log', '--format=%H%x1f%(trailers:key=Slipway-App,valueonly,separator=)%x1f%(trailers:key=Slipway-Run,valueonly,separator=)%x1e', 'main'], { encoding: 'utf8' });
  return out.split('\x1e').map((r) => r.trim()).filter(Boolean).map((r) => r.split('\x1f').map((v) => v.trim()))
    .filter(([, a]) => a === app).map(([sha, , run]) => ({ sha: sha!, run: run! }));
}
