/**
 * The calendar cache (src/application/calendar-store.ts) on a real database: one load and one version re-check per
 * calendar at a time on the pool, however many readers ask meanwhile (a list page's 50 tickets, concurrent requests
 * when the copy goes stale); a holiday change is seen at once on this replica; a transaction reads on its own
 * connection. The repository is wrapped to count the reads.
 */
import t from 'tap'
import { sql } from 'drizzle-orm'
import { createTestDatabase } from '../helpers/app.js'
import * as repo from '../../src/db/repositories/calendars.js'
import type * as StoreModule from '../../src/application/calendar-store.js'

const { database } = await createTestDatabase(t)
const reads = { version: 0, row: 0 }
const { CalendarStore, CALENDAR_RECHECK_MS } = await t.mockImport<typeof StoreModule>('../../src/application/calendar-store.js', {
  '../../src/db/repositories/calendars.js': {
    ...repo,
    calendarVersion: async (...args: Parameters<typeof repo.calendarVersion>) => { reads.version++; return await repo.calendarVersion(...args) },
    findCalendarRow: async (...args: Parameters<typeof repo.findCalendarRow>) => { reads.row++; return await repo.findCalendarRow(...args) }
  }
})

let now = Date.parse('2026-03-09T16:00:00Z')
const store = new CalendarStore(database, () => now)
const ID = 'business-hours-with-holidays'
const many = async (n: number, on?: Parameters<typeof store.require>[1]): Promise<unknown[]> =>
  await Promise.all(Array.from({ length: n }, async () => await store.require(ID, on)))

t.test('concurrent readers share one load, then one re-check when the copy is stale', async (t) => {
  const first = await many(50)
  t.equal(reads.row, 1, '50 concurrent first readers: one load')
  t.ok(first.every((c) => c === first[0]), 'all get the same calendar')
  await many(10)
  t.same(reads, { version: 0, row: 1 }, 'within the re-check interval: no read at all')
  now += CALENDAR_RECHECK_MS
  const again = await many(50)
  t.same(reads, { version: 1, row: 1 }, 'stale: 50 concurrent readers send one version read, and keep the copy (same version)')
  t.ok(again.every((c) => c === first[0]))
  await many(10)
  t.equal(reads.version, 1, 'the re-check renewed the copy for the next interval')
})

t.test('a holiday change on this replica is seen by the next reader, not hidden by a read in flight', async (t) => {
  now += CALENDAR_RECHECK_MS
  const inFlight = many(5) // a re-check starts…
  await database.rows(sql.raw(`UPDATE calendars SET version = version + 1 WHERE id = '${ID}'`))
  store.invalidate(ID) // …and the change lands while it runs
  await inFlight
  const before = reads.row
  const fresh = await many(20)
  t.equal(reads.row, before + 1, 'the next readers load the calendar anew, once')
  t.ok(fresh.every((c) => c === fresh[0]))
  const rowsNow = reads.row
  await many(5)
  t.equal(reads.row, rowsNow, 'and keep it')
})

t.test('readers inside a transaction check on its connection, and do not wait for the pool', async (t) => {
  now += CALENDAR_RECHECK_MS
  const before = reads.version
  const got = await database.db.transaction(async (tx) => await many(3, tx))
  t.equal(got.length, 3)
  t.equal(reads.version, before + 3, 'each reads on the transaction (nothing shared with the pool)')
  await many(5)
  t.equal(reads.version, before + 3, 'the transaction\'s check renewed the copy for the pool too')
})

t.test('an unknown calendar is an error each time it is asked for, and caches nothing', async (t) => {
  await t.rejects(store.require('no-such-calendar'), /missing/)
  await t.rejects(store.require('no-such-calendar'), /missing/)
  t.equal(await store.get('no-such-calendar'), undefined)
})
