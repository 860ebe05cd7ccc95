import type { Database, Tx } from '../db/client.js'
import { runInTransaction, type CommitScope } from '../db/commit-scope.js'
import type { CalendarStore } from './calendar-store.js'
import type { EmailRuntime } from '../email/runtime.js'
import type { AttachmentServices } from './attachments.js'
import type { JobEngine } from '../jobs/engine.js'

/** what the HTTP layer needs of the database: whether it is up, and whether an error means it is unreachable */
export type { DatabaseAvailability } from '../db/client.js'
export { isConnectionError } from '../db/client.js'

/** what every use case needs: the database, the clock (tests pass a fixed or moving clock) and shared caches */
export interface AppContext {
  database: Database
  now: () => Date
  idempotencyTtlHours: number
  /** how far back a staff-given receivedAt may be, in days (RECEIVED_AT_MAX_AGE_DAYS); absent: 30 */
  receivedAtMaxAgeDays?: number
  /** business calendars with their holidays, cached per app instance */
  calendars: CalendarStore
  /** the email channel (docs/email.md); absent: email is off */
  email?: EmailRuntime
  /** attachments: blob store, limits, background thumbnails (issue 19); absent in contexts that never touch files */
  attachments?: AttachmentServices
  /** durable jobs (src/jobs/engine.ts, docs/jobs.md): send inside the use case's transaction */
  jobs: JobEngine
  /**
   * A use case's transaction: `fn` runs in one database transaction that also carries the request's idempotency mark
   * when it has one (src/db/commit-scope.ts). Every write of a use case goes through it.
   */
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>
}

/** AppContext.transaction over a database; with a scope, every transaction carries it (src/db/commit-scope.ts) */
export const transactionOn = (database: Database, scope?: CommitScope): AppContext['transaction'] => async (fn) => await runInTransaction(database.db, fn, scope)

/**
 * The context of one request whose transactions carry its Idempotency-Key scope (src/http/plugins/idempotency.ts):
 * the same services and clock, a `transaction` that marks or claims the key with every commit.
 */
export function scopedContext (ctx: AppContext, scope: CommitScope): AppContext {
  return { ...ctx, transaction: transactionOn(ctx.database, scope) }
}
