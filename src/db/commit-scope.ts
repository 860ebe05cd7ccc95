/**
 * Work that must commit atomically with whatever a request writes, without the use cases knowing about it.
 *
 * The idempotency plugin (src/http/plugins/idempotency.ts) hands a request's handler a context whose `transaction`
 * carries the request's scope (`scopedContext`, src/application/context.ts): every transaction a use case opens with
 * that `ctx.transaction(fn)` (runInTransaction below) runs `beforeCommit(tx)` inside the transaction: sent as its
 * first statement (pipelined with BEGIN on PostgreSQL)
 * and awaited before COMMIT. The use case's writes and the scope's statement therefore commit together or not at all;
 * `committed()` is told once they have.
 *
 * The scope is passed explicitly, not through AsyncLocalStorage: on Node 20 one `AsyncLocalStorage.run` turns on
 * promise hooks for the whole process for good, which made every promise of every request (reads included) about 2.5×
 * as expensive (issue 15, session 11; docs/performance.md). It also cannot leak into work a request merely starts.
 *
 * A scope with a `held` commit also keeps its request's answer with the writes: its first transaction hands the use
 * case's result back before COMMIT and waits, still open, until the request's response is ready; the statement that
 * stores it is then sent together with COMMIT (one round trip), and the response leaves only once both are through.
 */
import type { Db, Tx } from './client.js'

/** the statement a held transaction sends with its COMMIT */
export type FinalWrite = (tx: Tx) => Promise<unknown>

/** how long a held transaction waits for its response at most; then it commits without it (a safety net) */
export const HOLD_LIMIT_MS = 10_000

/**
 * A transaction held open after its use case finished, until the request's answer is known (`finish`). The use case
 * must not touch the database after its transaction returns (its writes are not committed yet): the routes that hold
 * only present the result.
 */
export class HeldCommit {
  /** a transaction of the request took this hold (only the first does) */
  used = false
  /** the use case's result was handed back and the transaction waits for `finish` */
  handedOver = false
  private release: ((last: FinalWrite | null) => void) | undefined
  private outcome: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined

  /** inside the transaction: resolves with the final statement (or null) when `finish` is called */
  wait (): Promise<FinalWrite | null> {
    this.handedOver = true
    return new Promise((resolve) => {
      this.release = resolve
      this.timer = setTimeout(() => { this.release = undefined; resolve(null) }, HOLD_LIMIT_MS)
      this.timer.unref()
    })
  }

  track (outcome: Promise<void>): void {
    this.outcome = outcome
    outcome.catch(() => {}) // observed by finish(); a transaction nobody finishes must not count as unhandled
  }

  /**
   * The answer is ready: send `last` with the COMMIT. Resolves once committed — true when `last` went with it, false
   * when the transaction had already committed without it (a later transaction of the request, or the hold limit) —
   * and rejects when the transaction failed (nothing of it committed).
   */
  async finish (last: FinalWrite | null): Promise<boolean> {
    clearTimeout(this.timer)
    const release = this.release
    this.release = undefined
    release?.(last)
    await this.outcome
    return release !== undefined
  }
}

export interface CommitScope {
  beforeCommit: (tx: Tx) => Promise<void>
  /** called after a transaction that ran `beforeCommit` has committed */
  committed?: () => void
  /** the first transaction commits with the request's answer (see HeldCommit) */
  held?: HeldCommit
}

/**
 * One transaction of a use case (AppContext.transaction): `fn` in a database transaction, with the request's scope's
 * `beforeCommit` — the idempotency mark or claim — inside it. It is sent first, so that it travels in the same write as
 * BEGIN and the use case's first statements (issue 15: one round trip less); it is awaited before COMMIT, and its
 * failure fails the transaction. Its failure also takes precedence over `fn`'s: the use case ran behind a statement that
 * refused the request (a retry whose key is taken), so what the use case decided then is not the request's answer.
 * Outside a scope (no Idempotency-Key, a job) it is just the transaction.
 */
export async function runInTransaction<T> (db: Db, fn: (tx: Tx) => Promise<T>, scope?: CommitScope): Promise<T> {
  if (scope === undefined) return await db.transaction(fn)
  const held = scope.held
  if (held !== undefined) {
    // only the request's first transaction is held; a later one first lets it commit (without the answer)
    if (!held.used) {
      held.used = true
      return await runHeld(db, scope, held, fn)
    }
    if (held.handedOver) await held.finish(null)
  }
  const result = await db.transaction(async (tx) => await withScope(scope, tx, fn))
  scope.committed?.()
  return result
}

async function withScope<T> (scope: CommitScope, tx: Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
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
}

/** the held transaction: resolves with fn's result while the transaction stays open until `held.finish` */
async function runHeld<T> (db: Db, scope: CommitScope, held: HeldCommit, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    let last: Promise<unknown> | undefined
    const transaction = db.transaction(async (tx) => {
      const value = await withScope(scope, tx, fn)
      const waiting = held.wait()
      resolve(value)
      const final = await waiting
      // not awaited: it travels with the COMMIT. A failure aborts the transaction, so the COMMIT rolls back; it is
      // reported from `last` below (the COMMIT itself answers without an error then)
      if (final !== null) last = final(tx)
      last?.catch(() => {})
      return value
    })
    held.track(transaction.then(async () => {
      if (last !== undefined) await last
      scope.committed?.()
    }))
    transaction.catch((err: unknown) => { if (!held.handedOver) reject(err) })
  })
}
