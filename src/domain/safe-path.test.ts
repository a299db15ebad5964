import { describe, expect, it } from 'vitest';
import { assertSafeRelativePath } from './safe-path.ts';

describe('assertSafeRelativePath', () => {
  it.each(['index.html', 'public/app.js', './server.js', '.well-known/x'])('accepts %s', (p) => {
    expect(() => assertSafeRelativePath(p)).not.toThrow();
  });
  it.each([
    ['../etc/passwd', "'..'"], ['a/../../b', "'..'"], ['/etc/passwd', 'absolute'], ['C:/x', 'absolute'],
    ['.git/config', '.git'], ['a/.GIT/hooks/x', '.git'], ['a//b', 'empty'], ['', 'empty'], ['a\u0000b', 'control'], ['a\\b', 'backslash'],
  ])('refuses %j (%s)', (p, why) => {
    expect(() => assertSafeRelativePath(p)).toThrow(why);
  });
});
