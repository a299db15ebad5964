import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findInPath } from './find-in-path.ts';

describe('findInPath', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-path-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('finds an executable in the first directory that has it, skipping relative and non-executable entries', async () => {
    await writeFile(join(dir, 'tool'), '#!/bin/sh\n');
    await chmod(join(dir, 'tool'), 0o644);
    expect(findInPath('tool', [dir].join(delimiter))).toBeUndefined();
    await chmod(join(dir, 'tool'), 0o755);
    expect(findInPath('tool', ['relative', '', dir].join(delimiter))).toBe(join(dir, 'tool'));
    expect(findInPath('missing', dir)).toBeUndefined();
  });
});
