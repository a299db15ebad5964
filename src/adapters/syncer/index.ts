/**
 * What every engine's syncer shares: delivery with retries, the GitHub-style push event (the Flux
 * Receiver and Argo CD's webhook both take it), and the logger shape. The syncers themselves live
 * with their engine in src/adapters/gitops/<engine>/.
 */
export { githubPushPayload, githubSignatureHeaders, hmacHex, repoIdentity, type RepoIdentity } from './github-push.ts';
export { DEFAULT_SYNC_RETRY, deliver, replyExcerpt, type DeliveryOutcome, type RetryPolicy } from './delivery.ts';
export { SYNC_USER_AGENT, type SyncLogger } from './sync-logger.ts';
