import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { branchNameProblem } from './branch-name.ts';

const GOOD = ['main', 'trunk', 'feature/x', 'release-2026.1', 'v1.0', 'user/name/topic', 'a#b', "it's", 'été', 'a.b/c_d', 'x@y'];
const BAD = ['', 'main..x', 'a b', '-x', 'x.lock', 'a/x.lock/b', '.x', 'a/.b', 'a//b', '/a', 'a/', 'a.', '@', 'a@{b', 'a\\b', 'a~b', 'a^b', 'a:b', 'a?b', 'a*b', 'a[b', 'HEAD', 'a\tb', 'a\u007fb', 'x'.repeat(256)];

/** What git itself says, so the pure check can be compared with it. */
function gitAccepts(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', `refs/heads/${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('branchNameProblem', () => {
  it.each(GOOD)('accepts %j, as git does', (name) => {
    expect(branchNameProblem(name)).toBeUndefined();
    expect(gitAccepts(name)).toBe(true);
  });

  it.each(BAD.filter((name) => name.length <= 255))('refuses %j and says why, as git does', (name) => {
    expect(branchNameProblem(name)).toMatch(/\w/);
    // git allows '-x', 'HEAD' and '@' under refs/heads/, but reads them as options or as HEAD on a command line.
    if (!['-x', 'HEAD', '@'].includes(name)) expect(gitAccepts(name)).toBe(false);
  });

  it('refuses names longer than 255 characters', () => {
    expect(branchNameProblem('x'.repeat(256))).toBe('it is longer than 255 characters');
  });
});
