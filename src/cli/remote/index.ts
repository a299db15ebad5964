import { HttpSlipway } from './http-slipway.ts';
import { ServerClient } from './server-client.ts';
import type { ServerChoice } from './server-choice.ts';
import type { Slipway } from '../context.ts';

export { HttpSlipway, type RunFilter } from './http-slipway.ts';
export { ServerClient } from './server-client.ts';
export { chooseServer, chosenServer, serverFrom, type ServerChoice } from './server-choice.ts';

/**
 * Slipway as a running server offers it, in the shape `openSlipway` returns for this machine:
 * the service, what generates code (the server's choice) and `close`.
 */
export function openRemoteSlipway(choice: ServerChoice): Slipway {
  const client = new ServerClient(choice);
  return {
    service: new HttpSlipway(client),
    describeGenerator: async () => `the server's, at ${client.server}`,
    close: () => {},
  };
}
