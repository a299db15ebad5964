import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { InputError, SECRET_VALUE_MAX, unsetNeeds } from '../../domain/index.ts';
import { printJson, reportError } from '../output.ts';
import { followRun } from './run-commands.ts';
import { printTable, withSlipway } from './query-commands.ts';

type Options = { env?: string; json?: boolean };

const withEnv = (opts: Options) => (opts.env !== undefined ? { env: opts.env } : {});

/** `slipway env set <app> KEY=value…`: one configure run for all of them. */
export function envSetCommand(app: string, pairs: string[], opts: Options): Promise<number> {
  const set: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) return Promise.resolve(reportError(new InputError(`${JSON.stringify(pair)} is not NAME=value`, { hint: `e.g. slipway env set ${app} THEME=dark` }), Boolean(opts.json)));
    set[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return followRun(Boolean(opts.json), (s) => s.service.start({ kind: 'configure', app, set, ...withEnv(opts) }), { fromStart: true });
}

/** `slipway env unset <app> KEY…`. */
export function envUnsetCommand(app: string, names: string[], opts: Options): Promise<number> {
  return followRun(Boolean(opts.json), (s) => s.service.start({ kind: 'configure', app, unset: names, ...withEnv(opts) }), { fromStart: true });
}

/** `slipway env list <app>`: settings with their values, secrets by name only. */
export function envListCommand(app: string, opts: Options): Promise<number> {
  return withSlipway(Boolean(opts.json), async (s) => {
    const config = await s.service.config(app, withEnv(opts));
    if (opts.json) return printJson(config);
    // What the app's plan says it reads and is not set here: shown, so a missing secret is seen.
    const needed = unsetNeeds(config.needs, config.settings, config.secrets);
    if (Object.keys(config.settings).length === 0 && config.secrets.length === 0 && needed.length === 0) {
      process.stdout.write(`${config.app} has no settings or secrets in ${config.env}.\n`);
      return;
    }
    const rows = [
      ...Object.entries(config.settings).map(([name, value]) => [name, value]),
      ...config.secrets.map((name) => [name, '(secret)']),
      ...needed,
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    printTable(['NAME', 'VALUE'], rows);
  });
}

/**
 * `slipway secret set <app> KEY [--from-file f]`: the value comes from the file or standard input,
 * never from the command line, where shell history and `ps` would keep it.
 */
export async function secretSetCommand(app: string, name: string, rest: string[], opts: Options & { fromFile?: string }): Promise<number> {
  const json = Boolean(opts.json);
  if (name.includes('=') || rest.length > 0) {
    return reportError(new InputError('a secret value is never taken from the command line, where shell history and `ps` keep it', {
      hint: `Pipe it in (\`printf %s "$VALUE" | slipway secret set ${app} ${name.split('=')[0]}\`) or use --from-file <file>.`,
    }), json);
  }
  let value: string;
  try {
    value = opts.fromFile !== undefined ? await readValueFile(opts.fromFile) : await readStdin(name);
  } catch (error) {
    return reportError(error, json);
  }
  return followRun(json, (s) => s.service.start({ kind: 'configure', app, secrets: { [name]: value }, ...withEnv(opts) }), { fromStart: true });
}

/** `slipway secret unset <app> KEY`. */
export function secretUnsetCommand(app: string, name: string, opts: Options): Promise<number> {
  return followRun(Boolean(opts.json), (s) => s.service.start({ kind: 'configure', app, unsetSecrets: [name], ...withEnv(opts) }), { fromStart: true });
}

async function readValueFile(file: string): Promise<string> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read --from-file ${file}: ${error.code ?? error.message}`);
  });
  if (bytes.length > SECRET_VALUE_MAX) throw new InputError(`${file} is ${bytes.length} bytes; a secret is at most ${SECRET_VALUE_MAX}`);
  // A file as written by an editor ends with one newline that is not part of the value.
  return bytes.toString('utf8').replace(/\r?\n$/, '');
}

async function readStdin(name: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(`Type the value of ${name}, then Enter and Ctrl-D:\n`);
  const value = (await text(process.stdin)).replace(/\r?\n$/, '');
  if (value.length === 0) throw new InputError(`no value for ${name} on standard input`, { hint: 'Pipe the value in, or use --from-file <file>.' });
  return value;
}
