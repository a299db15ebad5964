import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ResolvedConfig } from '../config/index.ts';
import { ConfigError } from '../domain/index.ts';
import { kubeAccess } from './cluster-wiring.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-wiring-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const configWith = (kube: Record<string, unknown>) => ({ kube }) as unknown as ResolvedConfig;

async function kubeconfig(path: string, server: string, token: string, current?: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, stringify({
    ...(current ? { 'current-context': current } : {}),
    clusters: [{ name: server, cluster: { server } }],
    users: [{ name: token, user: { token } }],
    contexts: [{ name: server, context: { cluster: server, user: token } }],
  }));
  return path;
}

describe('kubeAccess', () => {
  it('merges every file of KUBECONFIG, skipping missing ones, the first file winning', async () => {
    const a = await kubeconfig(join(dir, 'a.yaml'), 'https://a.lab:6443', 'token-a');
    const b = await kubeconfig(join(dir, 'b.yaml'), 'https://b.lab:6443', 'token-b', 'https://a.lab:6443');
    const env = { KUBECONFIG: [join(dir, 'missing.yaml'), a, b].join(':') };

    expect(await kubeAccess(configWith({}), env)).toEqual({ apiServer: 'https://a.lab:6443', token: 'token-a' });
    expect(await kubeAccess(configWith({ context: 'https://b.lab:6443' }), env)).toEqual({ apiServer: 'https://b.lab:6443', token: 'token-b' });
  });

  it('reads ~/.kube/config when neither kube.kubeconfig nor KUBECONFIG is set, and says what to do when it is missing', async () => {
    await expect(kubeAccess(configWith({}), { HOME: dir })).rejects.toThrow(ConfigError);
    await expect(kubeAccess(configWith({}), { HOME: dir })).rejects.toThrow(/no kubeconfig found/);
    await kubeconfig(join(dir, '.kube', 'config'), 'https://home.lab:6443', 'token-home', 'https://home.lab:6443');
    expect(await kubeAccess(configWith({}), { HOME: dir })).toEqual({ apiServer: 'https://home.lab:6443', token: 'token-home' });
  });

  it('uses kube.kubeconfig alone when set, and refuses it when it cannot be read', async () => {
    const home = await kubeconfig(join(dir, '.kube', 'config'), 'https://home.lab:6443', 'token-home', 'https://home.lab:6443');
    const named = await kubeconfig(join(dir, 'k3s.yaml'), 'https://k3s.lab:6443', 'token-k3s', 'https://k3s.lab:6443');
    expect(await kubeAccess(configWith({ kubeconfig: named }), { HOME: dir, KUBECONFIG: home })).toEqual({ apiServer: 'https://k3s.lab:6443', token: 'token-k3s' });
    await expect(kubeAccess(configWith({ kubeconfig: join(dir, 'nope.yaml') }), {})).rejects.toThrow(/kube.kubeconfig: cannot read .*nope.yaml: ENOENT/);
  });
});
