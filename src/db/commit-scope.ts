/**
 * Work that must commit atomically with whatever a request writes, without the use cases knowing about it.
 *
 * The idempotency plugin (src/http/plugins/idempotency.ts) runs a request's handler inside `commitScope.run(…)`;
 * every top-level transaction opened on the database while that scope is active runs `beforeCommit(tx)` as its last
 * statement, inside the transaction. The use case's writes and the scope's mark therefore commit together or not at all.
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
    const result = await fn(tx)
    const scope = commitScope.getStore()
    if (scope !== undefined) await scope.beforeCommit(tx)
    return result
  }, config)
  Object.defineProperty(db, 'transaction', { value: wrapped, configurable: true, writable: true })
  return db
}
