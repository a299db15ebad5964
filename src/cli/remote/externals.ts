import { z } from 'zod';
import { parseExternal, type ExternalChange, type Externals } from '../../app/externals.ts';
import type { External, ExternalInput } from '../../domain/external.ts';
import { ServerClient } from './server-client.ts';
import type { ServerChoice } from './server-choice.ts';

const ExternalJson = z.object({ name: z.string(), address: z.string(), port: z.number(), protocol: z.enum(['TCP', 'UDP']) });
const ExternalChangeJson = z.object({ external: ExternalJson, env: z.string(), kind: z.enum(['ip', 'hostname']), file: z.string(), commit: z.string() });

/**
 * `slipway external … --server …`: the server's services outside the cluster, through `/v1/externals`.
 * Input is checked here as on this machine first, so a bad port gets the same message either way.
 */
export function remoteExternals(choice: ServerChoice): Pick<Externals, 'add' | 'list' | 'remove'> {
  const client = new ServerClient(choice);
  const name = (value: string) => encodeURIComponent(value);
  return {
    async add(input: ExternalInput & { env?: string }): Promise<ExternalChange> {
      const { env, ...fields } = input;
      const body = { ...parseExternal(fields), ...(env !== undefined ? { env } : {}) };
      return client.call('POST', 'v1/externals', ExternalChangeJson, { body });
    },
    async list(env?: string): Promise<External[]> {
      return (await client.call('GET', 'v1/externals', z.object({ externals: z.array(ExternalJson) }), { query: { env } })).externals;
    },
    async remove(external: string, env?: string): Promise<ExternalChange> {
      return client.call('DELETE', `v1/externals/${name(external)}`, ExternalChangeJson, { query: { env } });
    },
  };
}
