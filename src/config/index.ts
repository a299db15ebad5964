export * from './schema.ts';
export * from './load.ts';
export * from './home.ts';
export * from './secrets.ts';
export * from './environments.ts';
