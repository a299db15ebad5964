import { describe, expect, it } from 'vitest';
import { InputError } from './errors.ts';
import { bumpVersion, compareVersions, FIRST_VERSION, imageTag, isVersion, parseVersion } from './version.ts';

describe('versions', () => {
  it('parses the three numbers of a version', () => {
    expect(parseVersion('v1.2.3')).toEqual({ major: 1, minor: 2, patch: 3 });
    expect(parseVersion('v0.0.0')).toEqual({ major: 0, minor: 0, patch: 0 });
    expect(parseVersion('v10.200.3000')).toEqual({ major: 10, minor: 200, patch: 3000 });
    expect(FIRST_VERSION).toBe('v1.0.0');
  });

  it('refuses what is not a version, with a hint showing one', () => {
    for (const bad of ['1.2.3', 'v1.2', 'v01.2.3', 'v1.2.3-rc1', 'V1.2.3', ' v1.2.3', 'v1.2.x', '']) {
      expect(isVersion(bad), bad).toBe(false);
      expect(() => parseVersion(bad), bad).toThrow(InputError);
    }
    try {
      parseVersion('1.2');
      expect.unreachable();
    } catch (error) {
      expect((error as InputError).message).toBe("'1.2' is not a version");
      expect((error as InputError).hint).toContain('v1.2.0');
    }
  });

  it('bumps one number and resets the ones after it', () => {
    expect(bumpVersion('v1.2.3', 'major')).toBe('v2.0.0');
    expect(bumpVersion('v1.2.3', 'minor')).toBe('v1.3.0');
    expect(bumpVersion('v1.2.3', 'patch')).toBe('v1.2.4');
    expect(bumpVersion('v1.9.0', 'minor')).toBe('v1.10.0');
    expect(() => bumpVersion('latest', 'patch')).toThrow(InputError);
  });

  it('orders versions by number, not as text', () => {
    expect(['v1.10.0', 'v1.9.0', 'v2.0.0', 'v1.9.1', 'v0.9.9'].sort(compareVersions)).toEqual(['v0.9.9', 'v1.9.0', 'v1.9.1', 'v1.10.0', 'v2.0.0']);
    expect(compareVersions('v1.0.0', 'v1.0.0')).toBe(0);
    expect(compareVersions('v1.0.0', 'v1.0.1')).toBeLessThan(0);
  });

  it('tags an image with the version, the short source commit and the environment', () => {
    expect(imageTag('v1.1.0', 'a3f5c2b9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5', 'prod')).toBe('v1.1.0-a3f5c2b-prod');
    expect(imageTag('v1.0.0', '0123456789abcdef0123456789abcdef01234567', 'dev')).toBe('v1.0.0-0123456-dev');
    expect(() => imageTag('1.0.0', '0123456789abcdef0123456789abcdef01234567', 'prod')).toThrow(InputError);
    expect(() => imageTag('v1.0.0', 'not-a-sha', 'prod')).toThrow(/not a commit SHA/);
    expect(() => imageTag('v1.0.0', '0123456789abcdef0123456789abcdef01234567', 'Prod!')).toThrow(/cannot end an image tag/);
  });
});
