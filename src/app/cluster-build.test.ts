import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema, parseConfig, type ResolvedConfig } from '../config/index.ts';
import { ConfigError } from '../domain/errors.ts';
import type { BuildRequest } from '../ports/index.ts';
import { buildsInCluster, clusterDockerfileBuilder } from './cluster-build.ts';

const resolved = (file: Record<string, unknown>): ResolvedConfig => ({ ...ConfigSchema.parse(file), home: '/nowhere', cache: '/nowhere/cache', logLevel: 'silent' });
const unusedRegistry = () => ({ headManifest: async () => undefined, getManifest: async () => { throw new Error('unused'); } });
const request: BuildRequest = {
  contextDir: '/x', base: 'b', platforms: ['linux/arm64'], workdir: '/app', entrypoint: [],
  target: { kind: 'registry', ref: { registry: 'registry.lan', repository: 'dynamic-apps/boxed', tag: 'v1' } },
  source: { app: 'boxed', runId: 'run-20260101000000-aaaaaa', url: 'https://git.lan/apps.git', commit: 'c'.repeat(40), path: 'boxed' },
};

describe('buildsInCluster', () => {
  it('builds in the cluster when told to, or by default when Slipway runs there; buildah otherwise', () => {
    expect(buildsInCluster(resolved({}))).toBe(false);
    expect(buildsInCluster(resolved({ kube: { inCluster: true } }))).toBe(true);
    expect(buildsInCluster(resolved({ kube: { inCluster: true }, build: { dockerfile: 'buildah' } }))).toBe(false);
    expect(buildsInCluster(resolved({ build: { dockerfile: 'cluster' } }))).toBe(true);
  });
});

describe('clusterDockerfileBuilder', () => {
  it.each([
    [{ build: { dockerfile: 'cluster' } }, /no Kubernetes access/],
    [{ build: { dockerfile: 'cluster' }, kube: { kubeconfig: '/k' } }, /names none/],
    [{ build: { dockerfile: 'cluster' }, kube: { kubeconfig: '/k' }, registry: { host: 'registry.lan' } }, /git.source.url must be an http\(s\) URL/],
    [{ build: { dockerfile: 'cluster' }, kube: { kubeconfig: '/k' }, registry: { host: 'registry.lan' }, git: { source: { url: 'git@git.lan:me/apps.git' } } }, /git.source.url must be an http\(s\) URL/],
  ])('says what slipway.yaml lacks for a cluster build (%j)', async (file, message) => {
    const error = await clusterDockerfileBuilder(resolved(file), {}, unusedRegistry).build(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as ConfigError).hint).toContain('build.dockerfile: buildah');
  });

  it('refuses an image that is not a tagged reference', () => {
    expect(ConfigSchema.safeParse({ build: { cluster: { image: 'moby/buildkit' } } }).success).toBe(false);
    expect(ConfigSchema.safeParse({ build: { cluster: { image: `docker.io/moby/buildkit:v0.32.2-rootless@sha256:${'a'.repeat(64)}` } } }).success).toBe(true);
  });

  it('reads the README example as written', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('build:\n  dockerfile:'));
    expect(example).toBeDefined();
    const config = parseConfig(parse(example!), 'README.md');
    expect(config.build).toEqual({
      dockerfile: 'auto',
      cluster: { namespace: 'slipway-builds', image: 'docker.io/moby/buildkit:v0.32.2-rootless', registrySecret: 'slipway-registry-push', gitSecret: 'apps-repo-token', timeoutSeconds: 1800, resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } } },
    });
  });
});
