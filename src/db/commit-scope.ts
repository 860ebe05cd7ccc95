/**
 * Work that must commit atomically with whatever a request writes, without the use cases knowing about it.
 *
 * The idempotency plugin (src/http/plugins/idempotency.ts) runs a request's handler inside `commitScope.run(…)`;
 * every transaction a use case opens with `ctx.transaction(fn)` (runInTransaction below) while that scope is active
 * runs `beforeCommit(tx)` inside the transaction: sent as its first statement (pipelined with BEGIN on PostgreSQL)
 * and awaited before COMMIT. The use case's writes and the scope's mark therefore commit together or not at all.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Db, Tx } from './client.js'

export interface CommitScope {
  beforeCommit: (tx: Tx) => Promise<void>
}

export const commitScope = new AsyncLocalStorage<CommitScope>()

/**
 * One transaction of a use case (AppContext.transaction): `fn` in a database transaction, with the active scope's
 * `beforeCommit` — the idempotency mark — inside it. The mark is sent first, so that it travels in the same write as
 * BEGIN and the use case's first statements (issue 15: one round trip less); it is awaited before COMMIT, and its
 * failure fails the transaction. Outside a scope (no Idempotency-Key, a job) it is just the transaction.
 */
export async function runInTransaction<T> (db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return await db.transaction(async (tx) => {
    const scope = commitScope.getStore()
    if (scope === undefined) return await fn(tx)
    const before = scope.beforeCommit(tx)
    before.catch(() => {}) // observed below; a rejection while fn runs must not count as unhandled
    const result = await fn(tx)
    await before
    return result
  })
}
