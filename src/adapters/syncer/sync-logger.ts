/** The slice of a pino logger the syncers use; never handed a token, a signature or a full hook path. */
export interface SyncLogger {
  warn(object: object, message: string): void;
}

/** Sent as User-Agent; receivers do not check it, people reading access logs do. */
export const SYNC_USER_AGENT = 'slipway-syncer';
