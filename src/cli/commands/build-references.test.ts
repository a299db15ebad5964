import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import { checkBase, parseBuildTarget, parsePlatforms } from './build-references.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('build references', () => {
  it('reads good targets, bases and platforms', () => {
    expect(parseBuildTarget('oci:./images:v1')).toEqual({ kind: 'oci-layout', dir: resolve('images'), tag: 'v1' });
    expect(parseBuildTarget('oci:/var/images')).toEqual({ kind: 'oci-layout', dir: '/var/images', tag: 'latest' });
    expect(parseBuildTarget('registry.lan:5000/apps/notes:v2')).toMatchObject({ kind: 'registry', ref: { registry: 'registry.lan:5000', repository: 'apps/notes', tag: 'v2' } });
    for (const base of ['host', `oci:/cache/base@${DIGEST}`, 'oci:/cache/base:node', 'node:24-slim']) expect(() => checkBase(base, '--base')).not.toThrow();
    expect(parsePlatforms('linux/amd64, linux/arm64')).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it.each([
    ['oci::v1', /--image oci::v1 names no directory/],
    ['oci:', /names no directory/],
    [`oci:/x@${DIGEST}`, /must name a tag, not a digest/],
    ['oci:/x:bad tag', /tag "bad tag"/],
    [`registry.lan/a@${DIGEST}`, /must name a tag, not a digest/],
    ['oci:/x\n:v1', /control characters/],
  ])('refuses the target %j', (image, message) => {
    expect(() => parseBuildTarget(image)).toThrow(InputError);
    expect(() => parseBuildTarget(image)).toThrow(message);
  });

  it('refuses an OCI layout directory that is a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-refs-')), 'layout');
    writeFileSync(file, '');
    expect(() => parseBuildTarget(`oci:${file}:v1`)).toThrow(/is a file, not an OCI layout directory/);
  });

  it('refuses bad bases and platform lists, naming the option', () => {
    expect(() => checkBase('oci::v1', 'image.base')).toThrow(/image\.base oci::v1 names no directory/);
    expect(() => checkBase('oci:/x@sha256:abc', '--base')).toThrow(/digest "sha256:abc"/);
    expect(() => parsePlatforms(' , ')).toThrow(/names no platform/);
    expect(() => parsePlatforms('linux/amd64,linux')).toThrow(/"linux" is not of the form os\/arch/);
  });
});
