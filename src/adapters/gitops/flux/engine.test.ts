import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, readSecret, type ResolvedConfig } from '../../../config/index.ts';
import { ConfigError } from '../../../domain/errors.ts';
import type { DoctorTools } from '../../../ports/gitops-engine.ts';
import { fluxEngine } from './engine.ts';

const HOOK = `/hook/${'ab'.repeat(32)}`;
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-flux-engine-'));
  // A Receiver answers its own path; anything else is 404, as notification-controller does.
  server = createServer((req, res) => res.writeHead(req.url === HOOK ? 405 : 404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function config(yaml: string): ResolvedConfig {
  writeFileSync(join(dir, 'slipway.yaml'), `target: cluster\n${yaml}`);
  return loadConfig({ env: { SLIPWAY_CONFIG: join(dir, 'slipway.yaml'), SLIPWAY_HOME: join(dir, 'home') }, cwd: dir, homedir: dir });
}

const receiver = (url: string, type = 'github') => `flux:\n  receiver:\n    url: ${url}\n    type: ${type}\n    token: { env: FLUX_RECEIVER_TOKEN }\n`;

/** Doctor's probe, as plain as it is there: any answer is a status. */
function tools(env: Record<string, string | undefined>): DoctorTools {
  return {
    env,
    async reachable(url, init) {
      try {
        const response = await fetch(url, { ...init, redirect: 'manual' });
        await response.body?.cancel();
        return { status: response.status };
      } catch (error) {
        return { error: String((error as { cause?: { code?: string } }).cause?.code ?? error) };
      }
    },
  };
}

describe('the Flux engine', () => {
  it('has no syncer without a Receiver, and refuses a signed Receiver without its token', async () => {
    const secret = (source: Parameters<typeof readSecret>[0], field: string) => readSecret(source, field, {});
    expect(await fluxEngine.syncer({ config: config(''), secret })).toBeUndefined();
    const unsigned = config(`flux:\n  receiver:\n    url: ${base}${HOOK}\n`);
    await expect(fluxEngine.syncer({ config: unsigned, secret })).rejects.toThrow(ConfigError);
    await expect(fluxEngine.syncer({ config: unsigned, secret })).rejects.toThrow(/flux\.receiver\.token is needed for a github Receiver/);
  });

  it('builds the Receiver syncer with the token read from the environment', async () => {
    const syncer = await fluxEngine.syncer({ config: config(receiver(`${base}${HOOK}`)), secret: (source, field) => readSecret(source, field, { FLUX_RECEIVER_TOKEN: 't0ken' }) });
    expect(syncer?.name).toBe('flux-receiver:github');
  });

  it('checks in doctor that the Receiver answers and its token is set, showing only the start of the path', async () => {
    const warn = await fluxEngine.doctor!(config(''), tools({}));
    expect(warn).toEqual([expect.objectContaining({ name: 'receiver', status: 'warn' })]);

    const ok = await fluxEngine.doctor!(config(receiver(`${base}${HOOK}`)), tools({ FLUX_RECEIVER_TOKEN: 't0ken' }));
    expect(ok).toEqual([{ name: 'receiver', status: 'ok', detail: `${base}/hook/abababab… reachable (github)` }]);

    const missing = await fluxEngine.doctor!(config(receiver(`${base}${HOOK}`)), tools({}));
    expect(missing[0]).toMatchObject({ status: 'fail', detail: `${base}/hook/abababab… reachable, but FLUX_RECEIVER_TOKEN is not set` });

    const wrongPath = await fluxEngine.doctor!(config(receiver(`${base}/hook/${'cd'.repeat(32)}`)), tools({ FLUX_RECEIVER_TOKEN: 't0ken' }));
    expect(wrongPath[0]).toMatchObject({ status: 'fail', detail: `${base}/hook/cdcdcdcd… answered 404` });
    expect(JSON.stringify([ok, missing, wrongPath])).not.toContain('ab'.repeat(32));
  });
});
