import { homedir } from 'node:os';
import { loadConfig } from '../config/index.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { ConfigError, InputError } from '../domain/errors.ts';

/**
 * Reads config from the environment and wires Slipway: loaded only by commands that need it.
 * `deploying`: the command is about to deploy to the target, which must then be configured.
 */
export async function openSlipway(overrides: { target?: string; deploying?: boolean } = {}) {
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
