export { ProcessSandbox, type ProcessSandboxOptions } from './process-sandbox.ts';
