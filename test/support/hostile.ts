import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Everything under `root` as sorted lines (path, kind, size, content hash or link target), read
 * without following links: two snapshots are equal only when nothing was written, removed or
 * replaced. A missing root gives an empty list.
 */
export function treeSnapshot(root: string): string[] {
  const lines: string[] = [];
  // Names are read as bytes: a name that is not UTF-8 would otherwise come back as another name.
  const visit = (dir: Buffer, rel: string) => {
    for (const name of readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare)) {
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      const path = `${rel}${rel ? '/' : ''}${name.toString('latin1')}`;
      // A path longer than the system allows is listed by name only.
      if (full.length >= 4096) {
        lines.push(`${path} (too long to open)`);
        continue;
      }
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) lines.push(`${path} link ${readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        lines.push(`${path}/ dir ${(stat.mode & 0o777).toString(8)}`);
        visit(full, path);
      } else if (stat.isFile()) {
        lines.push(`${path} file ${stat.size} ${createHash('sha256').update(readFileSync(full)).digest('hex')} ${stat.mtimeMs}`);
      } else lines.push(`${path} other`);
    }
  };
  if (existsSync(root) && lstatSync(root).isDirectory()) visit(Buffer.from(root), '');
  return lines;
}

/** How many commits the bare repos under `$SLIPWAY_HOME/git` hold together (0 before the first). */
export function commitsUnder(home: string): number {
  const dir = join(home, 'git');
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const repo of readdirSync(dir)) {
    const out = execFileSync('git', ['-C', join(dir, repo), 'rev-list', '--all', '--count'], { encoding: 'utf8' });
    total += Number(out.trim());
  }
  return total;
}

/** Whether tests may run the command as nobody (setpriv, as root): for cases root would pass, such as unreadable files and read-only folders. */
export const canDropPrivileges = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
    return true;
  } catch {
    return false;
  }
})();
