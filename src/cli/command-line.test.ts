import { describe, expect, it } from 'vitest';
import { commandHelp, parseCommandLine, programHelp, UsageError, type ProgramSpec } from './command-line.ts';
import { PROGRAM } from './main.ts';

const program: ProgramSpec<string> = {
  name: 'tool',
  version: '1.2.3',
  description: 'A tool.',
  commands: [
    {
      name: 'make',
      description: 'make things',
      arguments: [['<dir>', 'where'], ['[label]', 'an optional label']],
      options: [
        { flags: '--image <ref>', description: 'the image', required: true },
        { flags: '--entrypoint <cmd>', description: 'what runs', default: 'node server.js' },
        { flags: '--dry-run', description: 'only say what would happen' },
      ],
      handler: 'make-handler',
    },
    { name: 'say', description: 'say words', arguments: [['<words...>', 'what to say']], options: [{ flags: '--json', description: 'as JSON' }], handler: 'say-handler' },
    { name: 'list', description: 'list things', handler: 'list-handler' },
  ],
};

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(program, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
}

describe('parseCommandLine', () => {
  it('gives the command, its arguments in declared order and its options camelCased with defaults', () => {
    const parsed = parseCommandLine(program, ['make', 'app', '--image', 'reg/x:1', '--dry-run']);
    expect(parsed).toMatchObject({ kind: 'run', command: { name: 'make', handler: 'make-handler' }, args: ['app', undefined] });
    expect(parsed.kind === 'run' && parsed.options).toEqual({ image: 'reg/x:1', entrypoint: 'node server.js', dryRun: true });
  });

  it('takes --name=value, options before arguments, and everything after -- as arguments', () => {
    const parsed = parseCommandLine(program, ['make', '--image=reg/x:1', '--entrypoint', 'node main.js', '--', '--odd-dir', 'v2']);
    expect(parsed).toMatchObject({ kind: 'run', args: ['--odd-dir', 'v2'], options: { image: 'reg/x:1', entrypoint: 'node main.js', dryRun: undefined } });
  });

  it('collects a variadic argument as a list', () => {
    expect(parseCommandLine(program, ['say', 'a', 'pomodoro', 'timer', '--json'])).toMatchObject({ kind: 'run', args: [['a', 'pomodoro', 'timer']], options: { json: true } });
  });

  it('answers --help, -h and `help <command>` with the command help, and --version with the version', () => {
    const help = commandHelp(program, program.commands[0] as ProgramSpec<string>['commands'][number]);
    expect(parseCommandLine(program, ['make', '--help'])).toEqual({ kind: 'help', text: help });
    expect(parseCommandLine(program, ['make', '--dry-run', '-h'])).toEqual({ kind: 'help', text: help });
    expect(parseCommandLine(program, ['help', 'make'])).toEqual({ kind: 'help', text: help });
    expect(parseCommandLine(program, ['--help'])).toEqual({ kind: 'help', text: programHelp(program) });
    expect(parseCommandLine(program, ['-V'])).toEqual({ kind: 'version', text: '1.2.3\n' });
  });

  it.each([
    [['make', 'app'], "required option '--image <ref>' not specified"],
    [['make', '--image', 'x'], "missing required argument 'dir'"],
    [['say'], "missing required argument 'words'"],
    [['make', 'a', 'b', 'c', '--image', 'x'], "too many arguments for 'make': expected 2 arguments, got 3 ('a' 'b' 'c')"],
    [['list', 'extra'], "too many arguments for 'list': expected 0 arguments, got 1 ('extra')"],
    [['make', 'app', '--imag', 'x'], "unknown option '--imag' (did you mean --image?)"],
    [['make', 'app', '--image'], "option '--image <ref>' needs a value"],
    [['make', 'app', '--image', '--dry-run'], "option '--image <ref>' needs a value; to pass one starting with '-', write --image=<value>"],
    [['make', 'app', '--image', 'x', '--dry-run=yes'], "option '--dry-run' takes no value"],
    [['mkae'], "unknown command 'mkae' (did you mean make?)"],
    [['zzz'], "unknown command 'zzz'; commands: make, say, list"],
    [['--verbose'], "unknown option '--verbose'"],
    [[], 'no command given'],
  ])('refuses %j: %s', (argv, message) => {
    const error = usageError(argv);
    expect(error.message).toBe(message);
    expect(error.help).toMatch(/^Usage: tool /);
  });

  it('writes help from the declarations: usage, arguments, options with required and default, wrapped at 80 columns', () => {
    const help = commandHelp(program, program.commands[0] as ProgramSpec<string>['commands'][number]);
    expect(help).toBe(
      [
        'Usage: tool make [options] <dir> [label]',
        '',
        'make things',
        '',
        'Arguments:',
        '  dir    where',
        '  label  an optional label',
        '',
        'Options:',
        '  --image <ref>       the image (required)',
        '  --entrypoint <cmd>  what runs (default: "node server.js")',
        '  --dry-run           only say what would happen',
        '  -h, --help          display help for command',
        '',
      ].join('\n'),
    );
    for (const command of PROGRAM.commands) {
      for (const line of commandHelp(PROGRAM, command).split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    }
    expect(programHelp(PROGRAM)).toContain('  build [options] <dir>');
  });

  it("refuses a declaration it cannot read, so a typo in the program fails every test run", () => {
    const broken: ProgramSpec<string> = { ...program, commands: [{ name: 'x', description: 'x', options: [{ flags: '--Bad value', description: 'x' }], handler: 'x' }] };
    expect(() => parseCommandLine(broken, ['x'])).toThrow(/bad option declaration '--Bad value'/);
    for (const command of PROGRAM.commands) expect(parseCommandLine(PROGRAM, [command.name, '--help'])).toEqual({ kind: 'help', text: commandHelp(PROGRAM, command) });
  });
});
