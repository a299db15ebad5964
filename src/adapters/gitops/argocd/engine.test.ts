import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, readSecret, type ResolvedConfig } from '../../../config/index.ts';
import { ConfigError } from '../../../domain/errors.ts';
import type { SecretSource } from '../../../config/schema.ts';
import { argoCdEngine } from './engine.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-argocd-engine-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(yaml: string): ResolvedConfig {
  writeFileSync(join(dir, 'slipway.yaml'), `target: cluster\nengine: argocd\n${yaml}`);
  return loadConfig({ env: { SLIPWAY_CONFIG: join(dir, 'slipway.yaml'), SLIPWAY_HOME: join(dir, 'home') }, cwd: dir, homedir: dir });
}

const secret = (env: Record<string, string>) => (source: SecretSource, field: string) => readSecret(source, field, env);

describe('the Argo CD engine', () => {
  it('refreshes by annotation through the Kubernetes API, and has no syncer without API access', async () => {
    expect(await argoCdEngine.syncer({ config: config(''), secret: secret({}) })).toBeUndefined();
    const syncer = await argoCdEngine.syncer({ config: config(''), access: { apiServer: 'https://127.0.0.1:6443', token: 'k' }, secret: secret({}) });
    expect(syncer?.name).toBe('argocd:annotation');
  });

  it('calls the webhook when argocd.refresh is webhook, and says what is missing without its URL', async () => {
    await expect(argoCdEngine.syncer({ config: config('argocd:\n  refresh: webhook\n'), secret: secret({}) })).rejects.toThrow(ConfigError);
    await expect(argoCdEngine.syncer({ config: config('argocd:\n  refresh: webhook\n'), secret: secret({}) })).rejects.toThrow(/argocd\.webhookUrl is needed/);
    const webhook = config('argocd:\n  refresh: webhook\n  webhookUrl: https://argocd.k8s-lab.dev\n  webhookSecret: { env: ARGOCD_WEBHOOK_SECRET }\n');
    await expect(argoCdEngine.syncer({ config: webhook, secret: secret({}) })).rejects.toThrow(/ARGOCD_WEBHOOK_SECRET is not set/);
    expect((await argoCdEngine.syncer({ config: webhook, secret: secret({ ARGOCD_WEBHOOK_SECRET: 's' }) }))?.name).toBe('argocd:webhook');
  });

  it('names argocd app wait to follow a rollout, and has no checks of its own in doctor', () => {
    expect(argoCdEngine.followHint('notes', config(''))).toBe('Follow the rollout with: argocd app wait notes --health --sync');
    expect(argoCdEngine.doctor).toBeUndefined();
  });
});
