export * from './define-step.ts';
export * from './engine.ts';
export * from './step-outputs.ts';
export type * from './events.ts';
export * from './pipelines/create.ts';
export * from './pipelines/delete.ts';
export * from './pipelines/change.ts';
export * from './pipelines/import.ts';
export * from './pipelines/rollback.ts';
