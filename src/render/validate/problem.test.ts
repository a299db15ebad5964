import { describe, expect, it } from 'vitest';
import { formatProblem, joinPath, pointerToPath } from './problem.ts';

describe('pointerToPath', () => {
  it.each([
    ['', [], '(object)'],
    ['/spec/parentRefs/0/name', [], 'spec.parentRefs[0].name'],
    ['/metadata/labels/app.kubernetes.io~1name', [], 'metadata.labels["app.kubernetes.io/name"]'],
    ['/spec', ['sourceRef'], 'spec.sourceRef'],
    ['/a~0b', [], '["a~b"]'],
  ])('writes %j (+%j) as %s', (pointer, more, path) => {
    expect(pointerToPath(pointer, ...more)).toBe(path);
  });

  it('writes the same for segments given one by one', () => {
    expect(joinPath(['spec', '10', 'x-y'])).toBe('spec[10]["x-y"]');
  });
});

describe('formatProblem', () => {
  it('names kind, name, path and message', () => {
    expect(formatProblem({ kind: 'HTTPRoute', name: 'notes', path: 'spec.hostnames[0]', message: 'is bad' })).toBe('HTTPRoute/notes: spec.hostnames[0]: is bad');
  });
});
