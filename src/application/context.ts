import type { Database } from '../db/client.js'

/** what every use case needs: the database and the clock (tests pass a fixed or moving clock) */
export interface AppContext {
  database: Database
  now: () => Date
  idempotencyTtlHours: number
}
