import type { Database, DbOrTx } from '../db/client.js'
import { calendarVersion, findCalendarRow, holidayDates } from '../db/repositories/calendars.js'
import type { BusinessCalendar } from '../domain/sla/calendar.js'
import { toBusinessCalendar } from '../domain/sla/calendars.js'

/** how long a replica trusts its cached copy of a calendar before re-checking the calendar's version */
export const CALENDAR_RECHECK_MS = 5_000

interface Entry { calendar: BusinessCalendar; version: number; checkedAt: number }

/**
 * Business calendars (windows + holidays) loaded from the database into the pure engine's shape, cached per app
 * instance. A holiday change bumps the calendar's version: this replica drops its copy at once (invalidate), other
 * replicas notice within CALENDAR_RECHECK_MS. Deadlines already issued are never recomputed.
 */
export class CalendarStore {
  private readonly entries = new Map<string, Entry>()
  /** the re-check or load of a calendar in progress on the pool, shared by every reader that needs it meanwhile */
  private readonly flights = new Map<string, Promise<BusinessCalendar | undefined>>()
  /** moved on by every invalidation: a read that began before one does not store what it read */
  private generation = 0
  constructor (private readonly database: Database, private readonly clock: () => number = Date.now) {}

  /**
   * The calendar from cache, re-checked against its version every CALENDAR_RECHECK_MS. On the pool, one check per
   * calendar is in flight at a time (issue 15): when the copy goes stale under load, every ticket of a list page and
   * every concurrent request would otherwise send its own version read. A caller inside a transaction (`on`) checks on
   * its own connection (on PGlite a read on the pool would wait for that transaction) and shares nothing.
   */
  async get (id: string, on?: DbOrTx): Promise<BusinessCalendar | undefined> {
    const entry = this.entries.get(id)
    if (entry !== undefined && this.clock() - entry.checkedAt < CALENDAR_RECHECK_MS) return entry.calendar
    if (on !== undefined) return await this.refresh(id, on)
    let flight = this.flights.get(id)
    if (flight === undefined) {
      const started = this.refresh(id, this.database.db).finally(() => {
        if (this.flights.get(id) === started) this.flights.delete(id)
      })
      flight = started
      this.flights.set(id, flight)
    }
    return await flight
  }

  /** re-checks the cached copy's version, or (re)loads the calendar */
  private async refresh (id: string, db: DbOrTx): Promise<BusinessCalendar | undefined> {
    const now = this.clock()
    const generation = this.generation
    const entry = this.entries.get(id)
    if (entry !== undefined) {
      const version = await calendarVersion(db, id)
      if (version === entry.version) {
        if (generation === this.generation) entry.checkedAt = Math.max(entry.checkedAt, now)
        return entry.calendar
      }
    }
    const row = await findCalendarRow(db, id)
    if (row === undefined) {
      if (generation === this.generation) this.entries.delete(id)
      return undefined
    }
    const holidays = row.observesHolidays ? await holidayDates(db, id) : []
    const calendar = toBusinessCalendar({ id: row.id, timeZone: row.timeZone, windows: row.windows, observesHolidays: row.observesHolidays }, holidays)
    if (generation === this.generation) this.entries.set(id, { calendar, version: row.version, checkedAt: now })
    return calendar
  }

  /** the calendar, or an error: calendars referenced by policy data always exist (created by the first migration) */
  async require (id: string, on?: DbOrTx): Promise<BusinessCalendar> {
    const cal = await this.get(id, on)
    if (cal === undefined) throw new Error(`calendar ${id} is missing from the database`)
    return cal
  }

  /** drops this replica's copy (a holiday change): the next reader loads the calendar anew, not from a check in flight */
  invalidate (id: string): void {
    this.generation++
    this.entries.delete(id)
    this.flights.delete(id)
  }
}
