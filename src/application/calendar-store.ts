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
  constructor (private readonly database: Database, private readonly clock: () => number = Date.now) {}

  async get (id: string, on?: DbOrTx): Promise<BusinessCalendar | undefined> {
    const db = on ?? this.database.db
    const entry = this.entries.get(id)
    const now = this.clock()
    if (entry !== undefined && now - entry.checkedAt < CALENDAR_RECHECK_MS) return entry.calendar
    if (entry !== undefined) {
      const version = await calendarVersion(db, id)
      if (version === entry.version) {
        entry.checkedAt = now
        return entry.calendar
      }
    }
    const row = await findCalendarRow(db, id)
    if (row === undefined) {
      this.entries.delete(id)
      return undefined
    }
    const holidays = row.observesHolidays ? await holidayDates(db, id) : []
    const calendar = toBusinessCalendar({ id: row.id, timeZone: row.timeZone, windows: row.windows, observesHolidays: row.observesHolidays }, holidays)
    this.entries.set(id, { calendar, version: row.version, checkedAt: now })
    return calendar
  }

  /** the calendar, or an error: calendars referenced by policy data always exist (created by the first migration) */
  async require (id: string, on?: DbOrTx): Promise<BusinessCalendar> {
    const cal = await this.get(id, on)
    if (cal === undefined) throw new Error(`calendar ${id} is missing from the database`)
    return cal
  }

  invalidate (id: string): void {
    this.entries.delete(id)
  }
}
