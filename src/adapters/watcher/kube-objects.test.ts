import { describe, expect, it } from 'vitest';
import { formatEvent } from './kube-events.ts';
import { commitOf, labelSelector, revisionMatches, shortRevision } from './kube-objects.ts';

const SHA = '7c3f9e2a41b8d05e6f1a2b3c4d5e6f7081920a1b';

describe('revisions', () => {
  it('match Flux v2, older Flux and Argo CD spellings of the same commit, and nothing else', () => {
    expect(revisionMatches(`main@sha1:${SHA}`, SHA)).toBe(true);
    expect(revisionMatches(`main/${SHA}`, SHA)).toBe(true);
    expect(revisionMatches(`sha1:${SHA}`, SHA)).toBe(true);
    expect(revisionMatches(SHA.toUpperCase(), SHA)).toBe(true);
    expect(revisionMatches(`main@sha1:${SHA}`, SHA.slice(0, 7))).toBe(true);
    expect(revisionMatches(`main@sha1:${SHA}`, SHA.slice(0, 6))).toBe(false);
    expect(revisionMatches(`main@sha1:${SHA.slice(0, 39)}0`, SHA)).toBe(false);
    expect(revisionMatches(undefined, SHA)).toBe(false);
    expect(revisionMatches('main', SHA)).toBe(false);
    expect(commitOf(`v1.0.0@sha1:${SHA}`)).toBe(SHA);
    expect(shortRevision(`main@sha1:${SHA}`)).toBe('main@sha1:7c3f9e2a41b8');
  });

  it('builds label selectors in key order', () => {
    expect(labelSelector({ 'app.kubernetes.io/name': 'a', 'app.kubernetes.io/instance': 'a' })).toBe('app.kubernetes.io/instance=a,app.kubernetes.io/name=a');
    expect(labelSelector(undefined)).toBe('');
  });
});

describe('formatEvent', () => {
  it('puts an event on one line with its count, preferring the series count', () => {
    expect(formatEvent({ type: 'Warning', reason: 'BackOff', involvedObject: { kind: 'Pod', name: 'p' }, message: 'Back-off\nrestarting', count: 3 })).toBe('Warning BackOff Pod/p: Back-off; restarting (x3)');
    expect(formatEvent({ reason: 'Started', involvedObject: { kind: 'Pod', name: 'p' }, message: 'ok', series: { count: 9 } })).toBe('Normal Started Pod/p: ok (x9)');
  });
});
