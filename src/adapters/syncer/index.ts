export { FluxReceiverSyncer, type FluxReceiverSyncerOptions, type FluxReceiverType } from './flux-receiver-syncer.ts';
export { receiverWebhookPath, displayReceiverUrl } from './receiver-path.ts';
export { githubPushPayload, githubSignatureHeaders, repoIdentity, type RepoIdentity } from './github-push.ts';
export { DEFAULT_SYNC_RETRY, type RetryPolicy } from './delivery.ts';
export type { SyncLogger } from './sync-logger.ts';
