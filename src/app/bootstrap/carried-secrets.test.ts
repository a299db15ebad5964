import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, type ResolvedConfig } from '../../config/index.ts';
import { carriedSecrets } from './carried-secrets.ts';

const configOf = (raw: Record<string, unknown>): ResolvedConfig => ({ ...ConfigSchema.parse(raw), home: '/nonexistent', cache: '/nonexistent', logLevel: 'info' });

describe('carriedSecrets', () => {
  it("reads each secret the pod needs from where this machine's slipway.yaml names it, and leaves out what cannot be read", () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-carried-'));
    writeFileSync(join(dir, 'source-token'), 'source-token-from-a-file\n');
    writeFileSync(join(dir, 'docker.json'), '{"auths":{}}');
    const config = configOf({
      git: { source: { https: { token: { file: join(dir, 'source-token') } } }, gitops: { https: { token: { env: 'GITOPS_TOKEN' } } } },
      llm: { provider: 'openai', apiKey: { env: 'NOT_SET_HERE' } },
      server: { hookSecret: { file: join(dir, 'missing') } },
      registry: { host: 'registry.lan', dockerConfig: join(dir, 'docker.json') },
    });
    expect(carriedSecrets(config, { GITOPS_TOKEN: 'gitops-token-from-env' })).toEqual({
      'git-source-token': 'source-token-from-a-file',
      'git-gitops-token': 'gitops-token-from-env',
      'registry-docker-config': '{"auths":{}}',
    });
    // The bootstrap's own registry brings its own login.
    const own = configOf({ registry: { host: 'registry.lan', dockerConfig: join(dir, 'docker.json') }, bootstrap: { registry: { enabled: true } } });
    expect(carriedSecrets(own, {})).toEqual({});
  });
});
