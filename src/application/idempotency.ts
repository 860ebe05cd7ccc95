/**
 * The Idempotency-Key store the HTTP plugin runs on (src/http/plugins/idempotency.ts, where the life of a key is
 * described): claiming, reading, reclaiming, completing and releasing keys, and the request scope in which every
 * `ctx.transaction` of the handler also marks the claim 'applied' (src/db/commit-scope.ts).
 */
import type { Database } from '../db/client.js'
import { commitScope, type FinalWrite, type HeldCommit } from '../db/commit-scope.js'
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

/** claimAtCommit's refusal (SQLSTATE IK001, migration 0018), as either driver reports it (drizzle may wrap it) */
export function isKeyHeldError (err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === repo.KEY_HELD_SQLSTATE) return true
  }
  return false
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
  /** runs `next` (the rest of the request) so that each transaction it commits marks this claim 'applied' with it */
  runMarking: (claim: { scope: string; claimToken: string }, next: () => void) => void
  /**
   * runs `next` so that its first transaction to commit claims the key inside it (already 'applied'); a transaction
   * that finds the key held throws IdempotencyKeyTaken and rolls back. `claim.claimed` turns true once one committed.
   * The first transaction is held open until `claim.hold.finish(…)` (the response's completion goes with its COMMIT).
   */
  runClaiming: (claim: TransactionClaim, next: () => void) => void
  /** the statement that claims the key with the response as the held transaction's last (sent with its COMMIT) */
  completeWith: (claim: TransactionClaim, response: repo.StoredResponse, now: Date) => FinalWrite
  /** stores the final response of a request none of whose transactions claimed the key; false when another holds it */
  storeCompleted: (c: repo.NewClaim, response: repo.StoredResponse, staleBefore: Date) => Promise<boolean>
  /** runs `next` outside any claim's scope (a request without a key may resume another request's context) */
  runUnmarked: (next: () => void) => void
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
    runMarking: (claim, next) => { commitScope.run({ beforeCommit: async (tx) => { await repo.markApplied(tx, claim.scope, claim.claimToken) } }, next) },
    runClaiming: (claim, next) => {
      commitScope.run({
        beforeCommit: async (tx) => {
          if (claim.claimed) return
          if (!await repo.claimApplied(tx, claim.newClaim, claim.staleBefore)) throw new IdempotencyKeyTaken()
        },
        committed: () => { claim.claimed = true },
        held: claim.hold,
        // the held (first) transaction claims the key as its last statement, with the answer when there is one
        atCommit: async (tx) => { await repo.claimAtCommit(tx, claim.newClaim, claim.staleBefore, null, claim.newClaim.now) }
      }, next)
    },
    // its refusal (the key held by another request) is a database error, which aborts the transaction, so the COMMIT
    // sent with it rolls back: a JS-level refusal here could not stop that COMMIT
    completeWith: (claim, response, now) => async (tx) => { await repo.claimAtCommit(tx, claim.newClaim, claim.staleBefore, response, now) },
    storeCompleted: async (c, response, staleBefore) => await repo.storeCompleted(db, c, response, staleBefore),
    runUnmarked: (next) => { commitScope.exit(next) }
  }
}
