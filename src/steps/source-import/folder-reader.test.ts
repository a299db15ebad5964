import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../domain/index.ts';
import { readAppFolder } from './folder-reader.ts';

let work: string;
let app: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-folder-'));
  app = join(work, 'app');
  await mkdir(join(app, 'public'), { recursive: true });
  await writeFile(join(app, 'server.js'), 'listen(process.env.PORT)\n', { mode: 0o755 });
  await writeFile(join(app, 'public', 'index.html'), '<h1>hi</h1>\n');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function refusal(root = app, limits?: { maxFiles: number; maxBytes: number }): Promise<InputError> {
  const error = await readAppFolder(root, limits).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('readAppFolder', () => {
  it('reads files in path order with their bytes and executable bit', async () => {
    const { files, ignored } = await readAppFolder(app);
    expect(files.map((f) => [f.path, f.content.toString(), f.executable])).toEqual([
      ['public/index.html', '<h1>hi</h1>\n', false],
      ['server.js', 'listen(process.env.PORT)\n', true],
    ]);
    expect(ignored).toEqual([]);
  });

  it('skips node_modules, .git and what .gitignore and .dockerignore exclude', async () => {
    await mkdir(join(app, 'node_modules', 'left-pad'), { recursive: true });
    await writeFile(join(app, 'node_modules', 'left-pad', 'index.js'), '');
    execFileSync('git', ['init', '-q', app]);
    await writeFile(join(app, '.gitignore'), 'dist/\n*.log\n');
    await writeFile(join(app, '.dockerignore'), 'secrets.env\n');
    await mkdir(join(app, 'dist'));
    await writeFile(join(app, 'dist', 'bundle.js'), '');
    await writeFile(join(app, 'debug.log'), '');
    await writeFile(join(app, 'secrets.env'), 'TOKEN=x');
    const { files, ignored } = await readAppFolder(app);
    expect(files.map((f) => f.path)).toEqual(['.dockerignore', '.gitignore', 'public/index.html', 'server.js']);
    expect(ignored).toEqual(['.git/', 'debug.log', 'dist/', 'node_modules/', 'secrets.env']);
  });

  it('follows a symbolic link to a file inside the folder, and refuses one that leaves it', async () => {
    await symlink('public/index.html', join(app, 'home.html'));
    expect((await readAppFolder(app)).files.find((f) => f.path === 'home.html')?.content.toString()).toBe('<h1>hi</h1>\n');
    await writeFile(join(work, 'secret.txt'), 'do not ship');
    await symlink(join(work, 'secret.txt'), join(app, 'public', 'leak.txt'));
    expect((await refusal()).message).toBe(`refused "public/leak.txt": it is a symbolic link to ${join(work, 'secret.txt')}, outside the folder`);
  });

  it('refuses links through .. , links to folders, dangling links and FIFOs', async () => {
    await symlink('../../../../../../../../etc', join(app, 'public', 'up'));
    expect((await refusal()).message).toMatch(/"public\/up": it is a symbolic link to .*, outside the folder/);
    await rm(join(app, 'public', 'up'));
    await symlink('public', join(app, 'assets'));
    expect((await refusal()).message).toMatch(/"assets": it is a symbolic link to a folder/);
    await rm(join(app, 'assets'));
    await symlink('missing.js', join(app, 'gone.js'));
    expect((await refusal()).message).toMatch(/"gone.js": it is a symbolic link to nothing/);
    await rm(join(app, 'gone.js'));
    execFileSync('mkfifo', [join(app, 'pipe')]);
    expect((await refusal()).message).toBe('refused "pipe": it is a FIFO (named pipe); only regular files and folders can be shipped');
  });

  it('names the limit a folder passes: files, then bytes', async () => {
    expect((await refusal(app, { maxFiles: 1, maxBytes: 1000 })).message).toBe("the folder holds more than 1 files, the limit for an app's source");
    await truncate(join(app, 'public', 'index.html'), 2 * 1024 * 1024);
    const error = await refusal(app, { maxFiles: 10, maxBytes: 1024 * 1024 });
    expect(error.message).toBe("the folder's files hold more than 1048576 bytes (1 MiB), the limit for an app's source; public/index.html passed it");
    expect(error.hint).toMatch(/\.gitignore or \.dockerignore/);
  });

  it('refuses unsafe names, a missing folder, a file, and a folder with nothing to ship', async () => {
    await writeFile(join(app, 'bad\nname.js'), '');
    expect((await refusal()).message).toMatch(/it contains control characters/);
    expect((await refusal(join(work, 'nope'))).message).toBe(`no folder at ${join(work, 'nope')}`);
    expect((await refusal(join(app, 'server.js'))).message).toMatch(/is not a folder/);
    await mkdir(join(work, 'empty'));
    await writeFile(join(work, 'empty', '.gitignore'), '*\n');
    expect((await refusal(join(work, 'empty'))).message).toMatch(/holds no files to ship/);
  });
});
