export { runBootstrap, type BootstrapRequest, type BootstrapResult } from './run.ts';
export { FileSecretValues } from './secret-values.ts';
export { encryptSecretFiles, type SecretEncrypter } from './secret-files.ts';
export { planBootstrap, type BootstrapPlan, type PlannedFile } from './plan.ts';
