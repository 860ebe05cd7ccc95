/**
 * Work that must commit atomically with whatever a request writes, without the use cases knowing about it.
 *
 * The idempotency plugin (src/http/plugins/idempotency.ts) runs a request's handler inside `commitScope.run(…)`;
 * every transaction a use case opens with `ctx.transaction(fn)` (runInTransaction below) while that scope is active
 * runs `beforeCommit(tx)` inside the transaction: sent as its first statement (pipelined with BEGIN on PostgreSQL)
 * and awaited before COMMIT. The use case's writes and the scope's statement therefore commit together or not at all;
 * `committed()` is told once they have.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Db, Tx } from './client.js'

export interface CommitScope {
  beforeCommit: (tx: Tx) => Promise<void>
  /** called after a transaction that ran `beforeCommit` has committed */
  committed?: () => void
}

export const commitScope = new AsyncLocalStorage<CommitScope>()

/**
 * One transaction of a use case (AppContext.transaction): `fn` in a database transaction, with the active scope's
 * `beforeCommit` — the idempotency mark or claim — inside it. It is sent first, so that it travels in the same write as
 * BEGIN and the use case's first statements (issue 15: one round trip less); it is awaited before COMMIT, and its
 * failure fails the transaction. Its failure also takes precedence over `fn`'s: the use case ran behind a statement that
 * refused the request (a retry whose key is taken), so what the use case decided then is not the request's answer.
 * Outside a scope (no Idempotency-Key, a job) it is just the transaction.
 */
export async function runInTransaction<T> (db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const scope = commitScope.getStore()
  if (scope === undefined) return await db.transaction(fn)
  const result = await db.transaction(async (tx) => {
    const before = scope.beforeCommit(tx)
    before.catch(() => {}) // observed below; a rejection while fn runs must not count as unhandled
    let value: T
    try {
      value = await fn(tx)
    } catch (err) {
      // sent before fn's statements, so already settled or about to be: no extra wait
      await before
      throw err
    }
    await before
    return value
  })
  scope.committed?.()
  return result
}
