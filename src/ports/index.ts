export type * from './code-generator.ts';
export type * from './git-repo.ts';
export type * from './app-runtime.ts';
export type * from './run-store.ts';
export type * from './app-store.ts';
export type * from './image-registry.ts';
export type * from './image-builder.ts';
