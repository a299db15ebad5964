import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/index.ts';
import { loadConfig } from './load.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'slipway-config-'));

describe('loadConfig', () => {
  it('gives working defaults with no file', () => {
    const cwd = dir();
    const config = loadConfig({ env: {}, cwd, homedir: '/home/someone' });
    expect(config.home).toBe('/home/someone/.slipway');
    expect(config.target).toBe('local');
    expect(config.git.gitops.path).toBe('kubernetes/apps/dynamic');
    expect(config.file).toBeUndefined();
  });

  it('reads slipway.yaml and SLIPWAY_HOME, resolving relative remotes against the file', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'slipway.yaml'), 'git:\n  source:\n    url: ./repos/apps.git\n    branch: trunk\n  gitops:\n    url: ssh://git@git.lab/homelab.git\n');
    const config = loadConfig({ env: { SLIPWAY_HOME: 'state' }, cwd, homedir: '/h' });
    expect(config.home).toBe(join(cwd, 'state'));
    expect(config.git.source).toEqual({ url: join(cwd, 'repos/apps.git'), branch: 'trunk' });
    expect(config.git.gitops.url).toBe('ssh://git@git.lab/homelab.git');
  });

  it('names each wrong field', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'slipway.yaml'), 'target: moon\ngit:\n  gitops:\n    path: /abs\nlocal:\n  colour: red\n');
    let error: unknown;
    try { loadConfig({ env: {}, cwd, homedir: '/h' }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('target:');
    expect(message).toContain('git.gitops.path:');
    expect(message).toContain("unknown field(s) 'colour'");
  });

  it('explains broken YAML and a missing SLIPWAY_CONFIG', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'slipway.yaml'), 'target: [local\n');
    expect(() => loadConfig({ env: {}, cwd, homedir: '/h' })).toThrow(/not valid YAML/);
    expect(() => loadConfig({ env: { SLIPWAY_CONFIG: 'nope.yaml' }, cwd, homedir: '/h' })).toThrow(/does not exist/);
  });
});

describe('cluster settings', () => {
  it('reads a cluster configuration and resolves paths against the file', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'slipway.yaml'), [
      'target: cluster', 'engine: flux',
      'git:', '  gitops:', '    url: ssh://git@git.lab/homelab.git', '    ssh:', '      keyFile: keys/deploy', '      knownHostsFile: ~/.ssh/known_hosts',
      'flux:', '  receiver:', '    url: https://flux-webhook.k8s-lab.dev/hook/abc', '    type: github', '    token:', '      env: FLUX_RECEIVER_TOKEN',
      'kube:', '  kubeconfig: ./kubeconfig',
      'publicUrl: https://{app}.apps.k8s-lab.dev/',
    ].join('\n'));
    const config = loadConfig({ env: {}, cwd, homedir: '/home/me' });
    expect(config.git.gitops.ssh).toEqual({ keyFile: join(cwd, 'keys/deploy'), knownHostsFile: '/home/me/.ssh/known_hosts', strictHostKeyChecking: 'yes' });
    expect(config.flux.receiver).toEqual({ url: 'https://flux-webhook.k8s-lab.dev/hook/abc', type: 'github', token: { env: 'FLUX_RECEIVER_TOKEN' } });
    expect(config.kube?.kubeconfig).toBe(join(cwd, 'kubeconfig'));
    expect(config.watch.reconcile).toBe(300);
  });

  it('refuses a secret written inline and a secret source with both env and file', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'slipway.yaml'), 'flux:\n  receiver:\n    url: https://x.example/hook/a\n    token: s3cret\n');
    expect(() => loadConfig({ env: {}, cwd, homedir: '/h' })).toThrow(/flux\.receiver\.token/);
    expect(() => loadConfig({ env: {}, cwd, homedir: '/h' })).not.toThrow(/s3cret/);
    writeFileSync(join(cwd, 'slipway.yaml'), 'flux:\n  receiver:\n    url: https://x.example/hook/a\n    token: { env: A, file: b }\n');
    expect(() => loadConfig({ env: {}, cwd, homedir: '/h' })).toThrow(/exactly one of env or file/);
  });
});
