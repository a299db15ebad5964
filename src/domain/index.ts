export * from './errors.ts';
export * from './app-name.ts';
export * from './description.ts';
export * from './redact.ts';
export * from './app-spec.ts';
export * from './run.ts';
export * from './app-record.ts';
export * from './safe-path.ts';
