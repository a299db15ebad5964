import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.ts';

/** `main` with what it prints captured. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the command line', () => {
  it('prints the version and help with exit 0', async () => {
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await run(['help', 'runs']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: slipway runs [options] [app]');
    expect(help.stdout).toMatch(/--limit <n>\s+how many runs \(default: 20\)/);
    expect((await run(['build', '--help'])).stdout).toMatch(/--entrypoint <cmd>[\s\S]*\(default: "node server.js"\)/);
  });

  it('prints the commands on stderr with exit 2 when none is given', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: slipway [options] [command]');
    expect(result.stderr).toMatch(/build \[options\] <dir>/);
  });

  it.each([
    [['build', '.', '--image', 'oci:out:1', '--entrypiont', 'x'], "error: unknown option '--entrypiont' (did you mean --entrypoint?)"],
    [['render', '--name', 'a', '--image', 'b', '--out', 'c', '--imag', 'd'], "error: unknown option '--imag' (did you mean --image?)"],
    [['biuld', '.'], "error: unknown command 'biuld' (did you mean build?)"],
    [['build', '.'], "error: required option '--image <ref>' not specified"],
    [['list', '--json=1'], "error: option '--json' takes no value"],
    [['runs', '--limit'], "error: option '--limit <n>' needs a value"],
    [['runs', '--limit', '0'], '--limit must be a whole number from 1 to 1000000, not "0"'],
    [['runs', '--limit=10x'], '--limit must be a whole number from 1 to 1000000, not "10x"'],
    [['status', 'a', 'b'], "error: too many arguments for 'status'"],
  ])('refuses %j with exit 2 and says why', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('(run with --help for usage)');
    expect(result.stdout).toBe('');
  });

  it('refuses a create with neither a description nor a folder, exit 2, saying both ways', async () => {
    const result = await run(['create']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('error: missing the description: say what the app should be\n  → e.g. slipway create "a pomodoro timer with a dark theme", or ship a folder of code with slipway create --from <dir>\n');
  });
});
