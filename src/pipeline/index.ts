export * from './define-step.ts';
export * from './engine.ts';
export type * from './events.ts';
