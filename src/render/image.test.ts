import { describe, expect, it } from 'vitest';
import { isImageDigest, splitImage } from './image.ts';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('splitImage', () => {
  it.each([
    ['registry.local:5000/apps/notes:1.2', { name: 'registry.local:5000/apps/notes', tag: '1.2' }],
    [`registry.local:5000/apps/notes:1.2@${digest}`, { name: 'registry.local:5000/apps/notes', tag: '1.2', digest }],
    [`registry.local:5000/apps/notes@${digest}`, { name: 'registry.local:5000/apps/notes', digest }],
    ['registry.local:5000/apps/notes', { name: 'registry.local:5000/apps/notes' }],
    ['${REGISTRY_URL}/dynamic-apps/notes:3f2a9c1', { name: '${REGISTRY_URL}/dynamic-apps/notes', tag: '3f2a9c1' }],
    ['notes:latest', { name: 'notes', tag: 'latest' }],
  ])('splits %s', (image, parts) => {
    expect(splitImage(image)).toEqual(parts);
  });
});

describe('isImageDigest', () => {
  it('accepts sha256 and sha512 digests of the right length, in lower case', () => {
    expect(isImageDigest(digest)).toBe(true);
    expect(isImageDigest(`sha512:${'0'.repeat(128)}`)).toBe(true);
    expect(isImageDigest('sha256:abc')).toBe(false);
    expect(isImageDigest(digest.toUpperCase())).toBe(false);
    expect(isImageDigest(`md5:${'0'.repeat(32)}`)).toBe(false);
  });
});
