import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitDirDiffer } from './dir-diff.ts';

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-diff-'));
  made.push(dir);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

describe('GitDirDiffer', () => {
  it('counts added and removed lines per file, for added, changed, removed and binary files', async () => {
    const before = await folder({ 'server.js': 'a\nb\nc\n', 'public/old.js': 'x\ny\n', 'same.txt': 'same\n', 'logo.png': new Uint8Array([0, 1, 2]) });
    const after = await folder({ 'server.js': 'a\nB\nc\nd\n', 'public/new file.js': 'n\n', 'same.txt': 'same\n', 'logo.png': new Uint8Array([0, 1, 3]) });
    const counts = await new GitDirDiffer().lineCounts(before, after);
    expect(Object.fromEntries(counts)).toEqual({
      'server.js': { added: 2, removed: 1 },
      'public/old.js': { added: 0, removed: 2 },
      'public/new file.js': { added: 1, removed: 0 },
      'logo.png': {},
    });
  });

  it('finds nothing between two folders with the same files', async () => {
    const files = { 'index.html': '<h1>Hi</h1>\n' };
    expect((await new GitDirDiffer().lineCounts(await folder(files), await folder(files))).size).toBe(0);
  });

  it('says when git cannot compare, rather than reporting no change', async () => {
    await expect(new GitDirDiffer().lineCounts('/nonexistent/slipway-a', '/nonexistent/slipway-b')).rejects.toThrow('git diff could not compare two versions of the app');
  });
});
