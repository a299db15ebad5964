import { homedir } from 'node:os';
import { loadConfig } from '../config/index.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import type { SlipwayService } from '../app/slipway-service.ts';
import { ConfigError, InputError } from '../domain/errors.ts';
import { chosenServer } from './remote/server-choice.ts';

/**
 * What commands ask of Slipway's service, the same in this process (SlipwayService) and on a
 * server (HttpSlipway). `idle` and `failRunning` concern runs this process executes: a server's
 * client has none.
 */
export type SlipwayApi = Pick<SlipwayService, 'start' | 'watch' | 'cancel' | 'resume' | 'report' | 'runs' | 'list' | 'status' | 'logs' | 'versions' | 'config'> &
  Partial<Pick<SlipwayService, 'idle' | 'failRunning'>>;

/** Slipway as a command holds it: its service, what generates code, and `close` when done. */
export interface Slipway {
  service: SlipwayApi;
  describeGenerator(): Promise<string>;
  close(): void;
}

/**
 * Slipway for a command: a running server's when one is chosen (`--server`, SLIPWAY_SERVER), else
 * this machine's (see openLocalSlipway). Both offer the same service methods, so commands do not
 * care which they talk to.
 */
export async function openSlipway(overrides: { target?: string; deploying?: boolean } = {}): Promise<Slipway> {
  const server = chosenServer();
  if (!server) return openLocalSlipway(overrides);
  // The server's slipway.yaml decides where its apps run; a target asked for here could not be honoured.
  if (overrides.target !== undefined) throw new InputError('--target does not go with --server: the server\'s slipway.yaml chooses the target', { hint: 'Leave out --target.' });
  return (await import('./remote/index.ts')).openRemoteSlipway(server);
}

/**
 * Reads config from the environment and wires Slipway in this process: loaded only by commands that need it.
 * `deploying`: the command is about to deploy to the target, which must then be configured.
 */
export async function openLocalSlipway(overrides: { target?: string; deploying?: boolean } = {}) {
  const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
  if (overrides.target !== undefined) {
    if (overrides.target !== 'local' && overrides.target !== 'cluster') throw new InputError(`--target must be local or cluster, not '${overrides.target}'`);
    config.target = overrides.target;
  }
  if (overrides.deploying) {
    assertTargetConfigured(config);
    // A bad base would otherwise fail at the image build, after the source was committed.
    if (config.image.base !== undefined) (await import('./commands/build-references.ts')).checkBase(config.image.base, 'image.base in slipway.yaml');
  }
  const { compose } = await import('../app/compose.ts');
  return compose(config, {
    nodeBinary: process.execPath,
    ...(process.env.PATH ? { path: process.env.PATH } : {}),
    vars: process.env,
    homedir: homedir(),
  });
}

/**
 * The cluster target commits manifests to the cluster's GitOps repo: without one configured they
 * would only reach the local bare repo, and the run would end telling people to watch a cluster
 * that never hears of the app.
 */
export function assertTargetConfigured(config: ResolvedConfig): void {
  if (config.target !== 'cluster' || config.git.gitops.url) return;
  throw new ConfigError(`the cluster target has no GitOps repo: git.gitops.url is not set in ${config.file ?? 'slipway.yaml (there is none)'}`, {
    hint: 'Configure the cluster first, e.g. `slipway init --target cluster --gitops-url ssh://git@github.com/me/homelab.git --registry registry.lan --apps-domain apps.lan`, or use --target local.',
  });
}
