/**
 * Work that must commit atomically with whatever a request writes, without the use cases knowing about it.
 *
 * The idempotency plugin (src/http/plugins/idempotency.ts) runs a request's handler inside `commitScope.run(…)`;
 * every top-level transaction opened on the database while that scope is active runs `beforeCommit(tx)` inside the
 * transaction: sent as its first statement (pipelined with BEGIN on PostgreSQL) and awaited before COMMIT. The use case's writes and the scope's mark therefore commit together or not at all.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { Db, Tx } from './client.js'

export interface CommitScope {
  beforeCommit: (tx: Tx) => Promise<void>
}

export const commitScope = new AsyncLocalStorage<CommitScope>()

type TransactionFn = Db['transaction']

/** makes every top-level `db.transaction(fn)` run the active scope's `beforeCommit` after `fn`, before COMMIT */
export function runBeforeCommitHooks (db: Db): Db {
  const transaction: TransactionFn = db.transaction.bind(db)
  const wrapped: TransactionFn = async (fn, config) => await transaction(async (tx) => {
    const scope = commitScope.getStore()
    if (scope === undefined) return await fn(tx)
    // the scope's statement goes first, so that it travels in the same write as BEGIN and the use case's first
    // statements (issue 15: one round trip less); it is awaited before COMMIT, and its failure fails the transaction
    const before = scope.beforeCommit(tx)
    before.catch(() => {}) // observed below; a rejection while fn runs must not count as unhandled
    const result = await fn(tx)
    await before
    return result
  }, config)
  Object.defineProperty(db, 'transaction', { value: wrapped, configurable: true, writable: true })
  return db
}
