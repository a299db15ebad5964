import { homedir } from 'node:os';
import { loadConfig } from '../config/index.ts';
import { InputError } from '../domain/errors.ts';

/** Reads config from the environment and wires Slipway: loaded only by commands that need it. */
export async function openSlipway(overrides: { target?: string } = {}) {
  const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
  if (overrides.target !== undefined) {
    if (overrides.target !== 'local' && overrides.target !== 'cluster') throw new InputError(`--target must be local or cluster, not '${overrides.target}'`);
    config.target = overrides.target;
  }
  const { compose } = await import('../app/compose.ts');
  return compose(config, {
    nodeBinary: process.execPath,
    ...(process.env.PATH ? { path: process.env.PATH } : {}),
    vars: process.env,
    homedir: homedir(),
  });
}
