/**
 * The Idempotency-Key store the HTTP plugin runs on (src/http/plugins/idempotency.ts, where the life of a key is
 * described): claiming, reading, reclaiming, completing and releasing keys, and the commit scopes with which every
 * `ctx.transaction` of the handler also marks the claim 'applied' or claims the key (src/db/commit-scope.ts).
 */
import type { Database } from '../db/client.js'
import type { CommitScope, FinalWrite, HeldCommit } from '../db/commit-scope.js'
import * as repo from '../db/repositories/idempotency.js'

export type { IdempotencyRow, NewClaim, StoredResponse } from '../db/repositories/idempotency.js'
export { HeldCommit } from '../db/commit-scope.js'

/** a key claimed inside the request's transaction (src/http/plugins/idempotency.ts) */
export interface TransactionClaim {
  newClaim: repo.NewClaim
  staleBefore: Date
  /** a transaction of the request committed the claim */
  claimed: boolean
  /** the request's first transaction, held open until the response is stored with it */
  hold: HeldCommit
}

/**
 * Thrown inside a request's transaction when its Idempotency-Key is held by another request (a retry of a request that
 * took effect, or a concurrent duplicate): the transaction rolls back and the plugin answers from the stored row.
 */
export class IdempotencyKeyTaken extends Error {
  constructor () {
    super('the Idempotency-Key is held by another request')
    this.name = 'IdempotencyKeyTaken'
  }
}

export interface IdempotencyStore {
  /** INSERT … ON CONFLICT DO NOTHING: true when this call took the key */
  claim: (c: repo.NewClaim) => Promise<boolean>
  find: (scope: string) => Promise<repo.IdempotencyRow | undefined>
  /** takes over an expired row or an abandoned in-progress claim older than `staleBefore` */
  reclaim: (c: repo.NewClaim, staleBefore: Date) => Promise<boolean>
  complete: (scope: string, claimToken: string, response: repo.StoredResponse, now: Date) => Promise<boolean>
  release: (scope: string, claimToken: string) => Promise<void>
  purgeExpired: (now: Date) => Promise<number>
  /** the scope with which each transaction of the request marks this claim 'applied' as it commits */
  marking: (claim: { scope: string; claimToken: string }) => CommitScope
  /**
   * the scope with which the request's first transaction to commit claims the key inside it (already 'applied'); a
   * transaction that finds the key held throws IdempotencyKeyTaken and rolls back. `claim.claimed` turns true once one
   * committed. The first transaction is held open until `claim.hold.finish(…)` (the response's completion goes with its
   * COMMIT).
   */
  claiming: (claim: TransactionClaim) => CommitScope
  /** the statement that stores the response inside the held transaction (sent with its COMMIT) */
  completeWith: (scope: string, claimToken: string, response: repo.StoredResponse, now: Date) => FinalWrite
  /** stores the final response of a request none of whose transactions claimed the key; false when another holds it */
  storeCompleted: (c: repo.NewClaim, response: repo.StoredResponse, staleBefore: Date) => Promise<boolean>
}

export function idempotencyStore (database: Database): IdempotencyStore {
  const db = database.db
  return {
    claim: async (c) => await repo.claimKey(db, c),
    find: async (scope) => await repo.findKey(db, scope),
    reclaim: async (c, staleBefore) => await repo.reclaimKey(db, c, staleBefore),
    complete: async (scope, claimToken, response, now) => await repo.completeKey(db, scope, claimToken, response, now),
    release: async (scope, claimToken) => { await repo.releaseKey(db, scope, claimToken) },
    purgeExpired: async (now) => await repo.purgeExpiredKeys(db, now),
    marking: (claim) => ({ beforeCommit: async (tx) => { await repo.markApplied(tx, claim.scope, claim.claimToken) } }),
    claiming: (claim) => ({
      beforeCommit: async (tx) => {
        if (claim.claimed) return
        if (!await repo.claimApplied(tx, claim.newClaim, claim.staleBefore)) throw new IdempotencyKeyTaken()
      },
      committed: () => { claim.claimed = true },
      held: claim.hold
    }),
    // only a database error may fail it (that aborts the transaction, so its COMMIT rolls back): the claim it completes
    // was inserted by this very transaction, so it always matches, and a JS-level refusal here could not stop the COMMIT
    completeWith: (scope, claimToken, response, now) => async (tx) => await repo.completeKeyIn(tx, scope, claimToken, response, now),
    storeCompleted: async (c, response, staleBefore) => await repo.storeCompleted(db, c, response, staleBefore)
  }
}
