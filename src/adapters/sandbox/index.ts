export { ProcessSandbox, type ProcessSandboxOptions } from './process-sandbox.ts';
export { NpmDependencyInstaller, npmNetworkEnv, type NpmDependencyInstallerOptions, type PreparedContext } from './npm-dependencies.ts';
export { SpawnedProgram } from './program.ts';
