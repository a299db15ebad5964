import { parseArgs } from 'node:util';

/**
 * A small command-line parser over `node:util.parseArgs`: commands declared as data, GNU-style long
 * options (`--name value`, `--name=value`, `--` ends options), `-h/--help` on every command, and
 * help text generated from the same declarations. It loads nothing but `node:util`, so a command
 * starts without paying for a CLI framework.
 */

export interface OptionSpec {
  /** `--name <value>` for an option taking a value, `--flag` for a boolean. */
  flags: string;
  description: string;
  default?: string;
  required?: boolean;
}

export interface CommandSpec<H = unknown> {
  name: string;
  description: string;
  /** `<name>` required, `[name]` optional, `<name...>` the rest as a list (last only). */
  arguments?: Array<[syntax: string, description: string]>;
  options?: OptionSpec[];
  /** What runs the command; opaque to the parser. */
  handler: H;
}

export interface ProgramSpec<H = unknown> {
  name: string;
  version: string;
  description: string;
  commands: Array<CommandSpec<H>>;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export type ParsedCommandLine<H> =
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string }
  | { kind: 'run'; command: CommandSpec<H>; args: Array<string | string[] | undefined>; options: OptionValues };

/** Bad usage: the message says what is wrong; `help` is the usage of the command concerned. */
export class UsageError extends Error {
  readonly help: string;
  constructor(message: string, help: string) {
    super(message);
    this.name = 'UsageError';
    this.help = help;
  }
}

interface ParsedOption { long: string; key: string; value?: string; spec: OptionSpec }
interface ParsedArgument { name: string; required: boolean; variadic: boolean; syntax: string; description: string }

const HELP_OPTION: OptionSpec = { flags: '-h, --help', description: 'display help for command' };

function parseOption(spec: OptionSpec): ParsedOption {
  const match = /^--([a-z][a-z0-9-]*)(?: <([^>]+)>)?$/.exec(spec.flags);
  if (!match) throw new Error(`bad option declaration '${spec.flags}'`);
  const long = match[1] as string;
  return { long, key: long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()), ...(match[2] ? { value: match[2] } : {}), spec };
}

function parseArgument([syntax, description]: [string, string]): ParsedArgument {
  const match = /^(?:<([a-zA-Z][\w-]*)(\.\.\.)?>|\[([a-zA-Z][\w-]*)(\.\.\.)?\])$/.exec(syntax);
  if (!match) throw new Error(`bad argument declaration '${syntax}'`);
  const required = match[1] !== undefined;
  return { name: (match[1] ?? match[3]) as string, required, variadic: Boolean(match[2] ?? match[4]), syntax, description };
}

/**
 * Reads `argv` (without node and the script) against `program`. Returns help or version text to
 * print, or the command to run with its positional arguments (in declared order; a variadic one as
 * a list) and its options (camelCased keys, defaults applied). Throws UsageError for bad usage.
 */
export function parseCommandLine<H>(program: ProgramSpec<H>, argv: readonly string[]): ParsedCommandLine<H> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given', programHelp(program));
  if (first === '-h' || first === '--help') return { kind: 'help', text: programHelp(program) };
  if (first === '-V' || first === '--version') return { kind: 'version', text: `${program.version}\n` };
  if (first === 'help') {
    if (rest[0] === undefined) return { kind: 'help', text: programHelp(program) };
    return { kind: 'help', text: commandHelp(program, findCommand(program, rest[0])) };
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`, programHelp(program));
  const command = findCommand(program, first);
  const usage = (message: string) => new UsageError(message, commandHelp(program, command));
  const options = (command.options ?? []).map(parseOption);
  const declared = (command.arguments ?? []).map(parseArgument);

  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...rest],
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(options.map((o) => [o.long, { type: o.value ? 'string' as const : 'boolean' as const }])),
      },
      strict: true,
      allowPositionals: true,
    }) as typeof parsed;
  } catch (error) {
    throw usage(usageMessage(error, options));
  }
  if (parsed.values.help) return { kind: 'help', text: commandHelp(program, command) };

  const values: OptionValues = {};
  for (const option of options) {
    const value = parsed.values[option.long];
    if (value === undefined && option.spec.required) throw usage(`required option '${option.spec.flags}' not specified`);
    values[option.key] = value ?? option.spec.default;
  }

  const positionals = parsed.positionals;
  const args: Array<string | string[] | undefined> = [];
  for (const [index, argument] of declared.entries()) {
    if (argument.variadic) {
      const list = positionals.slice(index);
      if (argument.required && list.length === 0) throw usage(`missing required argument '${argument.name}'`);
      args.push(list);
      continue;
    }
    const value = positionals[index];
    if (value === undefined && argument.required) throw usage(`missing required argument '${argument.name}'`);
    args.push(value);
  }
  const takesRest = declared.at(-1)?.variadic === true;
  if (!takesRest && positionals.length > declared.length) {
    const expected = declared.length === 1 ? '1 argument' : `${declared.length} arguments`;
    throw usage(`too many arguments for '${command.name}': expected ${expected}, got ${positionals.length} (${positionals.map((p) => `'${p}'`).join(' ')})`);
  }
  return { kind: 'run', command, args, options: values };
}

function findCommand<H>(program: ProgramSpec<H>, name: string): CommandSpec<H> {
  const command = program.commands.find((c) => c.name === name);
  if (command) return command;
  const near = program.commands.filter((c) => editDistance(c.name, name) <= (name.length > 3 ? 2 : 1)).map((c) => c.name);
  const hint = near.length ? ` (did you mean ${near.join(' or ')}?)` : `; commands: ${program.commands.map((c) => c.name).join(', ')}`;
  throw new UsageError(`unknown command '${name}'${hint}`, programHelp(program));
}

/** parseArgs' errors, said the way the rest of the command line is. */
function usageMessage(error: unknown, options: ParsedOption[]): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  const named = /'(-[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = named?.replace(/=.*$/, '') ?? '';
      const bare = name.replace(/^-+/, '');
      const near = options.filter((o) => editDistance(o.long, bare) <= 2).map((o) => `--${o.long}`);
      return `unknown option '${name}'${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = options.find((o) => named === `--${o.long}`);
      if (option && !option.value) return `option '--${option.long}' takes no value`;
      if (option && /missing/.test(message)) return `option '${option.spec.flags}' needs a value`;
      if (option) return `option '${option.spec.flags}' needs a value; to pass one starting with '-', write --${option.long}=<value>`;
      return message;
    }
    default:
      return message;
  }
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

const WIDTH = 80;

/** `text` as lines of at most `width` characters, broken between words. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** Two columns, the second wrapped at WIDTH and indented under itself. */
function table(rows: Array<[string, string]>): string {
  const left = Math.max(...rows.map(([term]) => term.length)) + 2;
  return rows
    .map(([term, text]) => `  ${term.padEnd(left)}${wrap(text, WIDTH - 2 - left).join(`\n${' '.repeat(2 + left)}`)}`.trimEnd())
    .join('\n');
}

function commandUsage(command: CommandSpec<unknown>): string {
  return [command.name, '[options]', ...(command.arguments ?? []).map(([syntax]) => syntax)].join(' ');
}

/** The top-level help: usage, description and one line per command. */
export function programHelp(program: ProgramSpec<unknown>): string {
  return [
    `Usage: ${program.name} <command> [options]`,
    '',
    ...wrap(program.description, WIDTH),
    '',
    'Options:',
    table([['-V, --version', 'output the version number'], ['-h, --help', 'display help for command']]),
    '',
    'Commands:',
    table([...program.commands.map((c): [string, string] => [commandUsage(c), c.description]), ['help [command]', 'display help for command']]),
    '',
  ].join('\n');
}

/** One command's help: usage, description, arguments and options with their defaults. */
export function commandHelp(program: ProgramSpec<unknown>, command: CommandSpec<unknown>): string {
  const args = (command.arguments ?? []).map(parseArgument);
  const options = [...(command.options ?? []), HELP_OPTION].map((o): [string, string] => [
    o.flags,
    `${o.description}${o.required ? ' (required)' : ''}${o.default !== undefined ? ` (default: ${JSON.stringify(o.default)})` : ''}`,
  ]);
  return [
    `Usage: ${program.name} ${commandUsage(command)}`,
    '',
    ...wrap(command.description, WIDTH),
    '',
    ...(args.length ? ['Arguments:', table(args.map((a) => [a.name, a.description])), ''] : []),
    'Options:',
    table(options),
    '',
  ].join('\n');
}
