/**
 * A worker-only replica in its own process, for tests that kill it (SIGKILL): the SLA timer workers over
 * WORKER_DATABASE_URL on the real clock. Prints "ready" once its engine polls.
 */
import { openDatabase } from '../../src/db/client.js'
import { createJobEngine } from '../../src/jobs/engine.js'
import { CalendarStore } from '../../src/application/calendar-store.js'
import { registerJobHandlers } from '../../src/application/jobs.js'
import { transactionOn, type AppContext } from '../../src/application/context.js'

const url = process.env.WORKER_DATABASE_URL
if (url === undefined) throw new Error('WORKER_DATABASE_URL is required')
const database = await openDatabase({ url, poolMax: 4 })
const now = (): Date => new Date()
const jobs = createJobEngine({ database, now, workers: true, pollingIntervalSeconds: 0.5, poolMax: 3, superviseIntervalSeconds: 2 })
const ctx: AppContext = { database, now, idempotencyTtlHours: 24, calendars: new CalendarStore(database), jobs, transaction: transactionOn(database) }
registerJobHandlers(ctx)
await jobs.start()
process.stdout.write('ready\n')
process.on('SIGTERM', () => { void jobs.stop({ timeoutMs: 5000 }).then(async () => { await database.close(); process.exit(0) }) })
