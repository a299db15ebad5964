// Operating-system helpers other adapters may use: file locks, process checks, PATH lookup, ports.
export { withFileLock, type LockOptions } from './file-lock.ts';
export { processIsAlive } from './process-alive.ts';
export { findInPath } from './find-in-path.ts';
export { freePort } from './free-port.ts';
export { ProcessLedger, processStartTime, type StartedProcess } from './process-ledger.ts';
