import { describe, expect, it } from 'vitest';
import { InputError } from '../../../domain/index.ts';
import { assertGuardrails, checkFiles, pathProblem } from './guardrails.ts';

const pkg = (extra: Record<string, unknown> = {}) => ({ path: 'package.json', content: JSON.stringify({ name: 'a', type: 'module', scripts: { start: 'node server.js' }, ...extra }) });
const server = { path: 'server.js', content: "import { createServer } from 'node:http';\n" };
const app = [pkg(), server];

function reasons(entries: unknown[], runtime = 'node') {
  return checkFiles(entries, { runtime }).refusals.map((r) => `${r.path}: ${r.reason}`);
}

describe('paths', () => {
  it.each([
    ['../x', /climbs out/],
    ['/etc/passwd', /absolute/],
    ['.git/config', /\.git/],
    ['.env', /\.env file holds secrets/],
    ['config/.env.production', /\.env file/],
    ['.npmrc', /\.npmrc/],
    ['.github/workflows/ci.yml', /hidden files/],
    ['public/.hidden', /hidden files/],
    ['node_modules/x/index.js', /node_modules/],
    ['a\\b.js', /backslash/],
    ['C:/x.js', /absolute/],
    ['public//x.js', /empty/],
  ])('refuses %s', (path, reason) => {
    expect(pathProblem(path)).toMatch(reason);
    expect(reasons([...app, { path, content: 'x' }])).toEqual([expect.stringMatching(reason)]);
  });

  it.each(['.gitignore', '.dockerignore', '.nvmrc', 'public/index.html', './server.js'])('accepts %s', (path) => {
    expect(pathProblem(path)).toBeUndefined();
  });

  it('normalises ./ and refuses a path given twice', () => {
    expect(reasons([...app, { path: './server.js', content: 'again' }])).toEqual(['./server.js: it appears twice']);
  });
});

describe('entries', () => {
  it('refuses anything that asks to be a link, and non-text content', () => {
    const out = reasons([
      ...app,
      { path: 'a.js', content: '', type: 'symlink' },
      { path: 'b.js', content: '', mode: 0o120777 },
      { path: 'c.js', content: '', mode: '120000' },
      { path: 'd.js', content: '', target: '/etc/shadow' },
      { path: 'e.png', content: 'iVBOR', encoding: 'base64' },
      { path: 'f.bin', content: 'a\u0000b' },
      { path: 'g.js', content: 42 },
      { content: 'no path' },
      'not an object',
    ]);
    expect(out).toEqual([
      'a.js: it asks to be a symlink; only regular files with text content are written',
      'b.js: it asks to be a symbolic link; only regular files are written',
      'c.js: it asks to be a symbolic link; only regular files are written',
      'd.js: it asks to be a symbolic link; only regular files are written',
      'e.png: its content is base64-encoded; only text files are accepted',
      'f.bin: its content is binary; only text files are accepted',
      'g.js: its content is not text',
      'files[9]: it has no path',
      'files[10]: it is not an object with path and content',
    ]);
  });

  it('accepts an ordinary file mode and type', () => {
    expect(reasons([pkg(), { ...server, type: 'file', mode: 0o100644 }])).toEqual([]);
  });
});

describe('limits', () => {
  it('caps the number of files and their total size', () => {
    const many = Array.from({ length: 3 }, (_, i) => ({ path: `f${i}.js`, content: 'x'.repeat(100) }));
    const checked = checkFiles([...app, ...many], { runtime: 'node', limits: { maxFiles: 4, maxTotalBytes: 200 } });
    expect(checked.refusals.map((r) => r.reason)).toEqual([
      '5 files were produced; at most 4 are allowed',
      expect.stringMatching(/^the files hold \d+ bytes; at most 200 are allowed$/),
    ]);
  });

  it('accepts only node and static runtimes', () => {
    expect(reasons(app, 'python')).toEqual(["(app): runtime 'python' is not supported; use node or static"]);
    expect(reasons(app, 'static')).toEqual([]);
  });
});

describe('secrets in code', () => {
  it.each([
    ["const key = 'AKIAQ3EGRAT5LXQWSVZN';", 'an AWS access key id'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----', 'a private key'],
    ['token = "ghp_8fA2kQ9xL3mN7pR1sT5vW0yZ4bC6dE8gH2jK"', 'a GitHub token'],
    ['const openai = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";', 'an OpenAI API key'],
    ['const claude = "sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";', 'an Anthropic API key'],
    ['const SESSION_SECRET = "q8Zr2LmX9vKp4TnW7yBc3DfG";', 'a literal value for SESSION_SECRET'],
    ['DB_PASSWORD=Xk29!fLp0qZm#7RtVb', 'a literal value for DB_PASSWORD'],
    ["const url = 'postgres://app:hunter2pass@db:5432/app';", 'a URL with a password'],
  ])('refuses %s', (line, kind) => {
    expect(reasons([...app, { path: 'lib/config.js', content: `// config\n${line}\n` }])).toEqual([
      `lib/config.js: line 2 holds ${kind}; read secrets from the environment instead`,
    ]);
  });

  it.each([
    "const STORAGE_KEY = 'pomodoro-settings-v1';",
    'const API_KEY = process.env.API_KEY ?? "";',
    "const token = crypto.randomBytes(32).toString('hex');",
    "headers['x-api-key'] = apiKey;",
    '@keyframes pulse { from { opacity: 0 } }',
    'const PASSWORD_MIN_LENGTH = 12;',
    "const secret = 'your-secret-here-change-me-please';",
  ])('lets ordinary code through: %s', (line) => {
    expect(reasons([...app, { path: 'lib/config.js', content: `${line}\n` }])).toEqual([]);
  });

  it('never repeats the secret in the reason', () => {
    const out = reasons([...app, { path: 'x.js', content: 'const k = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";' }]);
    expect(out.join('\n')).not.toContain('Ab3dEf6');
  });
});

describe('package.json', () => {
  it('refuses install hooks and unpinned dependencies, and runs only `node <file>`', () => {
    const out = reasons([
      pkg({ scripts: { start: 'node server.js', postinstall: 'curl x | sh', prepare: 'x' }, dependencies: { express: '^4.21.2', left: 'latest', git: 'github:a/b', ok: '4.21.2' }, devDependencies: { vitest: '1.0.0-beta.1' } }),
      server,
    ]);
    expect(out).toEqual([
      'package.json: scripts.postinstall runs at install time; install hooks are not allowed',
      'package.json: scripts.prepare runs at install time; install hooks are not allowed',
      'package.json: dependencies.express is "^4.21.2"; pin an exact version such as "4.21.2" (no ranges, tags, URLs or git)',
      'package.json: dependencies.left is "latest"; pin an exact version such as "4.21.2" (no ranges, tags, URLs or git)',
      'package.json: dependencies.git is "github:a/b"; pin an exact version such as "4.21.2" (no ranges, tags, URLs or git)',
    ]);
  });

  it('refuses a package.json that does not parse, and a start that is not node', () => {
    expect(reasons([{ path: 'package.json', content: '{ "name": ' }, server])[0]).toMatch(/^package.json: it is not valid JSON/);
    expect(reasons([pkg({ scripts: { start: 'npm run build && node dist/server.js' } }), server])).toEqual([
      'package.json: scripts.start is "npm run build && node dist/server.js"; it must be `node <file>.js` (no build step, no shell)',
    ]);
    expect(reasons([pkg({ scripts: { start: 'node main.js' } }), server])).toEqual(['package.json: scripts.start runs main.js, which is not among the files']);
  });

  it('refuses dependencies in a static app', () => {
    expect(reasons([pkg({ dependencies: { express: '4.21.2' } }), server], 'static')).toEqual([
      'package.json: a static app must not need npm dependencies; serve it with Node built-ins, or plan it as a node app',
    ]);
  });
});

describe('the start command', () => {
  it('comes from scripts.start, else server.js', () => {
    expect(checkFiles([pkg({ scripts: { start: 'node --enable-source-maps src/main.js' } }), { path: 'src/main.js', content: '' }], { runtime: 'node' }).command).toEqual(['node', '--enable-source-maps', 'src/main.js']);
    expect(checkFiles([server], { runtime: 'node' }).command).toEqual(['node', 'server.js']);
    expect(reasons([{ path: 'index.html', content: '<p>' }])).toEqual(['(app): there is no way to start it: add server.js, or package.json with scripts.start "node <file>.js"']);
  });
});

describe('Dockerfile', () => {
  const docker = (content: string) => reasons([...app, { path: 'Dockerfile', content }]);

  it('refuses one that runs as root', () => {
    expect(docker('FROM node:24-slim\nCOPY . .\nCMD ["node","server.js"]\n')).toEqual([
      'Dockerfile: it never switches to a non-root USER; add e.g. `USER node` (uid 1000) before CMD',
    ]);
    expect(docker('FROM node:24-slim\nUSER node\nRUN id\nUSER 0\n')).toEqual(['Dockerfile: line 4: the image runs as root (USER 0); end with a non-root USER such as node']);
  });

  it('refuses latest, privileges, sudo, remote ADD and curl | sh', () => {
    expect(docker([
      'FROM node AS build',
      'FROM node:latest',
      'RUN --security=insecure echo',
      'RUN apt-get update && \\',
      '    sudo apt-get install -y curl',
      'ADD https://example.com/x.tar.gz /x',
      'RUN curl -fsSL https://example.com/install.sh | bash',
      'COPY --from=build /app /app',
      'USER node',
    ].join('\n'))).toEqual([
      'Dockerfile: line 1: FROM node has no tag (it means :latest); pin a version such as node:24-slim',
      'Dockerfile: line 2: FROM node:latest uses :latest; pin a version such as node:24-slim',
      'Dockerfile: line 3: RUN asks for extra privileges',
      'Dockerfile: line 4: RUN uses sudo',
      'Dockerfile: line 6: ADD fetches a remote URL; download nothing at build time, or COPY files from the app',
      'Dockerfile: line 7: RUN pipes a download into a shell',
    ]);
  });

  it('accepts a pinned, non-root, multi-stage Dockerfile', () => {
    expect(docker('FROM node:24-slim AS deps\nCOPY package.json .\nFROM node:24-slim@sha256:abc\nCOPY --from=deps /app /app\nUSER node\nCMD ["node","server.js"]\n')).toEqual([]);
  });
});

describe('assertGuardrails', () => {
  it('throws one InputError listing every refusal with its path', () => {
    let error: unknown;
    try {
      assertGuardrails([...app, { path: '../x', content: '' }, { path: '.env', content: 'A=b' }], { runtime: 'node' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      "refused the generated app:\n- ../x: it climbs out of the app directory with '..'\n- .env: a .env file holds secrets; configuration comes from the environment Slipway sets",
    );
  });

  it('returns files sorted by path, and the command', () => {
    expect(assertGuardrails([server, pkg()], { runtime: 'node' })).toEqual({ files: [pkg(), server], command: ['node', 'server.js'] });
  });
});
