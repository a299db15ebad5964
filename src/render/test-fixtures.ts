import type { AppSpec } from '../domain/app-spec.ts';

/** A digest-pinned image reference as the publish step produces it (tests only). */
export const SAMPLE_IMAGE = `registry.local:5000/dynamic-apps/pomodoro-timer:3f2a9c1@sha256:${'0123456789abcdef'.repeat(4)}`;

/** The app the seeds use as their example (tests only). */
export function sampleSpec(overrides: Partial<AppSpec> = {}): AppSpec {
  return {
    name: 'pomodoro-timer',
    description: 'a pomodoro timer with a dark theme',
    template: 'pomodoro-timer',
    templateVersion: '1.0.0',
    runtime: 'static',
    port: 8080,
    persistent: false,
    command: ['node', 'server.js'],
    ...overrides,
  };
}

/** A copy of `value` with every object's keys in reverse insertion order (tests only). */
export function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => reverseKeys(item)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reverseKeys(v)])) as T;
}
