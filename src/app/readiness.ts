import { readFileSync } from 'node:fs';
import { drain, sendRequest } from '../adapters/http/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { GitRepo } from '../ports/index.ts';
import type { ReadinessCheck } from './slipway-service.ts';

/**
 * What a server needs besides its store to take runs: both repos readable, and the registry (when
 * one is configured) answering its API root — 200, or 401 asking for the login Slipway has.
 */
export function readinessChecks(config: ResolvedConfig, sourceRepo: GitRepo, gitopsRepo: GitRepo): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [
    { name: 'source repo', check: async () => void (await sourceRepo.log({ limit: 1 })) },
    { name: 'gitops repo', check: async () => void (await gitopsRepo.log({ limit: 1 })) },
  ];
  const host = config.registry.host;
  if (host) {
    checks.push({
      name: 'registry',
      check: async () => {
        const url = new URL(`${config.registry.insecure ? 'http' : 'https'}://${host}/v2/`);
        const response = await sendRequest({ url, timeoutMs: 5_000, ...(config.registry.ca ? { tls: { ca: readFileSync(config.registry.ca, 'utf8') } } : {}) });
        await drain(response);
        if (response.status !== 200 && response.status !== 401) throw new Error(`${host} answered ${response.status} at /v2/`);
      },
    });
  }
  return checks;
}
