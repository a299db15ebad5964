import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import { canonicalJson } from '../oci/index.ts';
import { appImageConfig, isoInstant, mergeEnv, resolveUser, type ImageConfigFile } from './oci-image.ts';
import { normalisePlatforms, parsePlatform, platformMatches, formatPlatform } from './platform.ts';

const base: ImageConfigFile = {
  architecture: 'arm64',
  os: 'linux',
  config: { Env: ['PATH=/usr/bin', 'NODE_ENV=development'], Cmd: ['node'], User: 'root', Labels: { maintainer: 'x' } },
  rootfs: { type: 'layers', diff_ids: ['sha256:aa', 'sha256:bb'] },
};

describe('image config', () => {
  it('merges env: base order kept, request values win, new keys sorted', () => {
    expect(mergeEnv(['PATH=/bin', 'A=1'], { Z: '3', A: '2', B: '4' })).toEqual(['PATH=/bin', 'A=2', 'B=4', 'Z=3']);
    expect(() => mergeEnv([], { 'A-B': '1' })).toThrow(InputError);
  });

  it('refuses root in every spelling and defaults to 1000:1000', () => {
    expect(resolveUser(undefined)).toBe('1000:1000');
    expect(resolveUser('node')).toBe('node');
    for (const user of ['root', '0', '0:0', '000:1000', 'root:root', '']) expect(() => resolveUser(user)).toThrow(InputError);
  });

  it('appends our layer and history entry, drops the base CMD under a new entrypoint, adds arm64 v8', () => {
    const config = appImageConfig(base, 'sha256:cc', { workdir: '/app', entrypoint: ['node', 'server.js'], env: { PORT: '8080' }, exposedPorts: [8080], created: isoInstant(0), baseName: 'reg/base:1', baseDigest: 'sha256:dd', labels: { 'org.opencontainers.image.revision': 'abc' } });
    expect(config.variant).toBe('v8');
    expect(config.rootfs.diff_ids).toEqual(['sha256:aa', 'sha256:bb', 'sha256:cc']);
    expect(config.history).toEqual([{ comment: 'base image layer' }, { comment: 'base image layer' }, { created: '1970-01-01T00:00:00Z', created_by: 'slipway build' }]);
    expect(config.config?.Cmd).toBeUndefined();
    expect(config.config?.User).toBe('1000:1000');
    expect(config.config?.Env).toEqual(['PATH=/usr/bin', 'NODE_ENV=development', 'PORT=8080']);
    expect(config.config?.Labels).toEqual({
      maintainer: 'x',
      'org.opencontainers.image.revision': 'abc',
      'org.opencontainers.image.created': '1970-01-01T00:00:00Z',
      'org.opencontainers.image.base.name': 'reg/base:1',
      'org.opencontainers.image.base.digest': 'sha256:dd',
    });
  });

  it('writes canonical JSON: sorted keys, no whitespace, undefined dropped', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }).toString()).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
    expect(isoInstant(1_700_000_000)).toBe('2023-11-14T22:13:20Z');
    expect(() => isoInstant(-1)).toThrow(InputError);
  });
});

describe('platforms and references', () => {
  it('parses, orders and compares platforms', () => {
    expect(normalisePlatforms(['linux/arm64', 'linux/amd64', 'linux/arm64/v8']).map(formatPlatform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(false);
    expect(() => parsePlatform('amd64')).toThrow(InputError);
    expect(() => normalisePlatforms([])).toThrow(InputError);
  });
});
