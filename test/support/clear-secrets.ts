/**
 * Proof that secret values never reached a folder or its git history in clear: every file under the
 * folder (its `.git` aside) and, when it is a git repository, every object reachable from any ref
 * (commits, trees, blobs of every commit) is searched for each value, as is and base64-encoded.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Values shorter than this would match by chance; a test passing one has a bug. */
const MIN_LENGTH = 6;

/** Throws naming every file and git object that holds one of `values`, raw or base64 (the values themselves are not printed). */
export function expectNoClearSecrets(dir: string, values: readonly string[]): void {
  for (const [i, value] of values.entries()) {
    if (value.length < MIN_LENGTH) throw new Error(`expectNoClearSecrets: value #${i} is shorter than ${MIN_LENGTH} characters; it would match by chance`);
  }
  const needles = values.flatMap((value, i) => [
    { label: `value #${i}`, bytes: Buffer.from(value, 'utf8') },
    { label: `value #${i} in base64`, bytes: Buffer.from(Buffer.from(value, 'utf8').toString('base64'), 'utf8') },
  ]);
  const findings: string[] = [];
  const search = (where: string, content: Buffer) => {
    for (const needle of needles) if (content.includes(needle.bytes)) findings.push(`${where}: ${needle.label}`);
  };
  for (const file of filesUnder(dir)) search(relative(dir, file), readFileSync(file));
  if (existsSync(join(dir, '.git'))) for (const object of gitObjects(dir)) search(object.name, object.content);
  if (findings.length > 0) throw new Error(`secret values found in clear under ${dir}:\n  ${findings.join('\n  ')}`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '.git' ? [] : filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/** Every object reachable from any ref, with a name saying where it is: `commit <sha>`, `<path> (blob <sha>)`. */
function gitObjects(dir: string): Array<{ name: string; content: Buffer }> {
  const listing = execFileSync('git', ['rev-list', '--all', '--objects'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const paths = new Map<string, string>();
  for (const line of listing.split('\n').filter(Boolean)) {
    const [sha, ...path] = line.split(' ');
    paths.set(sha!, path.join(' '));
  }
  if (paths.size === 0) return [];
  const batch = execFileSync('git', ['cat-file', '--batch'], { cwd: dir, input: [...paths.keys()].join('\n') + '\n', maxBuffer: 1024 * 1024 * 1024 });
  const objects: Array<{ name: string; content: Buffer }> = [];
  let offset = 0;
  while (offset < batch.length) {
    const headerEnd = batch.indexOf(0x0a, offset);
    const [sha, type, size] = batch.subarray(offset, headerEnd).toString('utf8').split(' ');
    const content = batch.subarray(headerEnd + 1, headerEnd + 1 + Number(size));
    const path = paths.get(sha!);
    objects.push({ name: path ? `${path} (${type} ${sha} in git history)` : `${type} ${sha}`, content });
    offset = headerEnd + 1 + Number(size) + 1;
  }
  return objects;
}
