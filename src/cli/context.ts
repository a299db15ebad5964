import { homedir } from 'node:os';
import { loadConfig } from '../config/index.ts';

/** Reads config from the environment and wires Slipway: loaded only by commands that need it. */
export async function openSlipway() {
  const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
  const { compose } = await import('../app/compose.ts');
  return compose(config, {
    nodeBinary: process.execPath,
    ...(process.env.PATH ? { path: process.env.PATH } : {}),
    vars: process.env,
    homedir: homedir(),
  });
}
