/** Remembers the signatures of signed requests already accepted, so a captured request cannot be sent again. */
export interface ReplayGuard {
  /**
   * Records `signature` as seen at `nowSeconds` (unix seconds). Returns false when it was seen
   * before, i.e. the request is a replay. Forgets signatures older than the window it was built with.
   */
  firstSeen(signature: string, nowSeconds: number): Promise<boolean>;
}
