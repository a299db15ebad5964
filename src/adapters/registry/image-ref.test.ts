import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import { formatImageRef, parseImageRef, validateDigest } from './image-ref.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseImageRef', () => {
  it('gives Docker Hub names their registry and library/ prefix', () => {
    expect(parseImageRef('node:24')).toEqual({ registry: 'registry-1.docker.io', repository: 'library/node', tag: '24' });
    expect(parseImageRef('node')).toEqual({ registry: 'registry-1.docker.io', repository: 'library/node', tag: 'latest' });
    expect(parseImageRef('bitnami/redis:7.2')).toEqual({ registry: 'registry-1.docker.io', repository: 'bitnami/redis', tag: '7.2' });
    expect(parseImageRef('docker.io/node:24').registry).toBe('registry-1.docker.io');
    expect(parseImageRef('docker.io/node:24').repository).toBe('library/node');
    expect(parseImageRef('index.docker.io/library/node').registry).toBe('registry-1.docker.io');
  });

  it('reads hosts with ports, nested repositories, tags and digests', () => {
    expect(parseImageRef('127.0.0.1:5000/dynamic-apps/pomodoro:v1.2')).toEqual({ registry: '127.0.0.1:5000', repository: 'dynamic-apps/pomodoro', tag: 'v1.2' });
    expect(parseImageRef(`registry.k8s-lab.dev/apps/web@${DIGEST}`)).toEqual({ registry: 'registry.k8s-lab.dev', repository: 'apps/web', digest: DIGEST });
    expect(parseImageRef(`localhost/web:1@${DIGEST}`)).toEqual({ registry: 'localhost', repository: 'web', tag: '1', digest: DIGEST });
    expect(parseImageRef('docker://127.0.0.1:5000/x:y')).toEqual({ registry: '127.0.0.1:5000', repository: 'x', tag: 'y' });
  });

  it('round-trips through formatImageRef', () => {
    for (const text of ['127.0.0.1:5000/a/b:c', `r.example/a@${DIGEST}`, `r.example:443/a:t@${DIGEST}`]) {
      expect(formatImageRef(parseImageRef(text))).toBe(text);
    }
    expect(formatImageRef(parseImageRef('node:24'))).toBe('registry-1.docker.io/library/node:24');
  });

  it.each([
    ['', /empty/],
    ['http://r.example/a:b', /URL scheme/],
    ['r.example/App:1', /uppercase/],
    ['r.example/a//b', /empty path component/],
    ['r.example/a-:1', /path component "a-"/],
    ['r.example/a:-bad', /tag "-bad"/],
    ['r.example/a@sha256:123', /digest "sha256:123"/],
    ['r.example/a@md5:abc', /digest/],
    ['bad_host.example:99x/a', /registry host/],
  ])('rejects %j with a message naming the problem', (text, message) => {
    expect(() => parseImageRef(text)).toThrow(InputError);
    expect(() => parseImageRef(text)).toThrow(message);
  });

  it('accepts sha512 digests of the right length only', () => {
    expect(() => validateDigest(`sha512:${'b'.repeat(128)}`)).not.toThrow();
    expect(() => validateDigest(`sha512:${'b'.repeat(64)}`)).toThrow(InputError);
  });
});
