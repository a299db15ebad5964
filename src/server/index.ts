// Slipway's HTTP API: what `slipway serve` (and a test) needs to put it on a port.
export { createServerApp, type ServerApp, type ServerDeps } from './app.ts';
export { serverUrl } from './listen-address.ts';
export { ServerMetrics } from './metrics.ts';
export { accessControl, isLoopbackHost, openWhenNoTokens, signedIntake } from './access/index.ts';
