import { describe, expect, it } from 'vitest';
import { InputError, SlipwayError } from '../domain/errors.ts';
import { failRunOnUnexpectedErrors } from './unexpected-errors.ts';

describe('failRunOnUnexpectedErrors', () => {
  it("aborts the run's signal with an error nobody handled, keeping a Slipway error as it is", () => {
    const controller = new AbortController();
    const stop = failRunOnUnexpectedErrors(controller);
    try {
      const lost = new InputError('base image has no linux/arm64 variant', { hint: 'Pick another base.' });
      process.emit('unhandledRejection', lost, Promise.resolve());
      expect(controller.signal.reason).toBe(lost);
      // Only the first error counts.
      process.emit('uncaughtException', new Error('later'));
      expect(controller.signal.reason).toBe(lost);
    } finally {
      stop();
    }
  });

  it('wraps any other error with what to do, and stops listening when the run is over', () => {
    const controller = new AbortController();
    const stop = failRunOnUnexpectedErrors(controller);
    const before = process.listenerCount('uncaughtException');
    try {
      process.emit('uncaughtException', new TypeError("Cannot read properties of undefined (reading 'digest')"));
    } finally {
      stop();
    }
    expect(controller.signal.reason).toBeInstanceOf(SlipwayError);
    expect(controller.signal.reason.message).toBe("unexpected error: Cannot read properties of undefined (reading 'digest')");
    expect(controller.signal.reason.hint).toMatch(/continues where it stopped/);
    expect(process.listenerCount('uncaughtException')).toBe(before - 1);
  });
});
