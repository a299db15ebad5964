import type { ExternalChange } from '../../app/externals.ts';
import type { External } from '../../domain/external.ts';
import { printJson, reportError } from '../output.ts';
import { chosenServer } from '../remote/server-choice.ts';

type Externals = Awaited<ReturnType<typeof import('../context.ts').openLocalSlipway>>['externals'];

/** The externals of the chosen server (`--server`, SLIPWAY_SERVER), else of this machine's Slipway, for one command. */
async function withExternals<T>(work: (externals: Pick<Externals, 'add' | 'list' | 'remove'>) => Promise<T>): Promise<T> {
  const server = chosenServer();
  if (server) return work((await import('../remote/externals.ts')).remoteExternals(server));
  const { openLocalSlipway } = await import('../context.ts');
  const slipway = await openLocalSlipway();
  try {
    return await work(slipway.externals);
  } finally {
    slipway.close();
  }
}

/** `slipway external add <name> --address <ip|host> --port <n> [--protocol TCP|UDP] [--env <e>]`. */
export async function externalAddCommand(name: string, opts: { address: string; port: string; protocol?: string; env?: string; json?: boolean }): Promise<number> {
  try {
    const change = await withExternals((externals) => externals.add({
      name, address: opts.address, port: opts.port, ...(opts.protocol !== undefined ? { protocol: opts.protocol.toUpperCase() as 'TCP' } : {}),
      ...(opts.env !== undefined ? { env: opts.env } : {}),
    }));
    if (opts.json) printJson(change);
    else process.stdout.write(addedText(change));
    return 0;
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
}

/** `slipway external list [--env <e>]`. */
export async function externalListCommand(opts: { env?: string; json?: boolean }): Promise<number> {
  try {
    const list = await withExternals((externals) => externals.list(opts.env));
    if (opts.json) printJson(list);
    else process.stdout.write(list.length === 0 ? 'No externals yet: slipway external add <name> --address <ip or host> --port <n>\n' : list.map(line).join(''));
    return 0;
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
}

/** `slipway external remove <name> [--env <e>]`. */
export async function externalRemoveCommand(name: string, opts: { env?: string; json?: boolean }): Promise<number> {
  try {
    const change = await withExternals((externals) => externals.remove(name, opts.env));
    if (opts.json) printJson(change);
    else process.stdout.write(`Removed external ${change.external.name} (${change.env}); commit ${change.commit.slice(0, 7)}.\n`);
    return 0;
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
}

function line(external: External): string {
  return `${external.name}\t${external.address}:${external.port}/${external.protocol}\n`;
}

function addedText(change: ExternalChange): string {
  const { external } = change;
  const how = change.kind === 'ip'
    ? 'a Service without selector and an EndpointSlice'
    : 'an ExternalName Service (a DNS alias: a NetworkPolicy cannot allow a host name, so apps reach it only through the egress mechanism)';
  return [
    `Added external ${external.name} (${change.env}): ${external.address}:${external.port}/${external.protocol}, as ${how}.`,
    `  ${change.file}, commit ${change.commit.slice(0, 7)}`,
    `Apps that call it say so: slipway create … --uses ${external.name} (or slipway change <app> … --uses ${external.name}); they reach it at ${external.name}:${external.port}.`,
    '',
  ].join('\n');
}
