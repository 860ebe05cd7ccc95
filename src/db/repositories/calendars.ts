import { and, asc, eq, gt, gte, lt, sql } from 'drizzle-orm'
import type { WeeklyWindow } from '../../domain/sla/calendar.js'
import type { DbOrTx } from '../client.js'
import { calendarHolidays, calendars } from '../schema/calendars.js'

export type CalendarRow = typeof calendars.$inferSelect
export type HolidayRow = typeof calendarHolidays.$inferSelect

/** a calendar as the application sees it (the table shape may change without changing this) */
export interface CalendarRecord {
  id: string
  name: string
  timeZone: string
  windows: readonly WeeklyWindow[]
  observesHolidays: boolean
  version: number
  updatedAt: Date
}

export interface HolidayRecord {
  calendarId: string
  /** local date 'YYYY-MM-DD' in the calendar's time zone */
  date: string
  name: string
  updatedAt: Date
}

export const toCalendarRecord = (row: CalendarRow): CalendarRecord => ({
  id: row.id,
  name: row.name,
  timeZone: row.timeZone,
  windows: row.windows,
  observesHolidays: row.observesHolidays,
  version: row.version,
  updatedAt: row.updatedAt
})

export const toHolidayRecord = (row: HolidayRow): HolidayRecord => ({
  calendarId: row.calendarId,
  date: row.date,
  name: row.name,
  updatedAt: row.updatedAt
})

export async function findCalendarRow (db: DbOrTx, id: string): Promise<CalendarRow | undefined> {
  const [row] = await db.select().from(calendars).where(eq(calendars.id, id))
  return row
}

export async function findCalendar (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<CalendarRecord | undefined> {
  const q = db.select().from(calendars).where(eq(calendars.id, id))
  const rows = opts.forUpdate === true ? await q.for('update') : await q
  return rows[0] === undefined ? undefined : toCalendarRecord(rows[0])
}

export async function calendarVersion (db: DbOrTx, id: string): Promise<number | undefined> {
  const [row] = await db.select({ version: calendars.version }).from(calendars).where(eq(calendars.id, id))
  return row?.version
}

export async function listCalendarRows (db: DbOrTx): Promise<CalendarRow[]> {
  return await db.select().from(calendars).orderBy(asc(calendars.id))
}

/** a keyset page of calendars ordered by id */
export async function listCalendars (db: DbOrTx, opts: { limit: number; afterId?: string }): Promise<CalendarRecord[]> {
  const rows = await db.select().from(calendars)
    .where(opts.afterId === undefined ? undefined : gt(calendars.id, opts.afterId))
    .orderBy(asc(calendars.id))
    .limit(opts.limit)
  return rows.map(toCalendarRecord)
}

/** the new version, when the calendar's version is still `fromVersion` (the caller holds the row lock) */
export async function bumpCalendarVersion (db: DbOrTx, id: string, fromVersion: number, now: Date): Promise<CalendarRecord | undefined> {
  const [row] = await db.update(calendars)
    .set({ version: sql`${calendars.version} + 1`, updatedAt: now })
    .where(and(eq(calendars.id, id), eq(calendars.version, fromVersion)))
    .returning()
  return row === undefined ? undefined : toCalendarRecord(row)
}

export async function holidayDates (db: DbOrTx, calendarId: string): Promise<string[]> {
  const rows = await db.select({ date: calendarHolidays.date }).from(calendarHolidays).where(eq(calendarHolidays.calendarId, calendarId))
  return rows.map((r) => r.date)
}

export async function listHolidays (db: DbOrTx, calendarId: string, year?: number): Promise<HolidayRow[]> {
  const conditions = [eq(calendarHolidays.calendarId, calendarId)]
  if (year !== undefined) {
    conditions.push(gte(calendarHolidays.date, `${year}-01-01`), lt(calendarHolidays.date, `${year + 1}-01-01`))
  }
  return await db.select().from(calendarHolidays).where(and(...conditions)).orderBy(asc(calendarHolidays.date))
}

const yearStart = (year: number): string => `${String(year).padStart(4, '0')}-01-01`

/** a keyset page of a calendar's holidays ordered by date, optionally only those of one year */
export async function listHolidayPage (db: DbOrTx, calendarId: string, opts: { limit: number; year?: number; afterDate?: string }): Promise<HolidayRecord[]> {
  const conditions = [eq(calendarHolidays.calendarId, calendarId)]
  if (opts.year !== undefined) {
    conditions.push(gte(calendarHolidays.date, yearStart(opts.year)), lt(calendarHolidays.date, yearStart(opts.year + 1)))
  }
  if (opts.afterDate !== undefined) conditions.push(gt(calendarHolidays.date, opts.afterDate))
  const rows = await db.select().from(calendarHolidays).where(and(...conditions)).orderBy(asc(calendarHolidays.date)).limit(opts.limit)
  return rows.map(toHolidayRecord)
}

export async function findHoliday (db: DbOrTx, calendarId: string, date: string): Promise<HolidayRecord | undefined> {
  const [row] = await db.select().from(calendarHolidays)
    .where(and(eq(calendarHolidays.calendarId, calendarId), eq(calendarHolidays.date, date)))
  return row === undefined ? undefined : toHolidayRecord(row)
}

/** inserts or replaces the holiday of one date */
export async function upsertHoliday (db: DbOrTx, holiday: { calendarId: string; date: string; name: string }, now: Date): Promise<HolidayRecord> {
  const [row] = await db.insert(calendarHolidays)
    .values({ calendarId: holiday.calendarId, date: holiday.date, name: holiday.name, updatedAt: now })
    .onConflictDoUpdate({ target: [calendarHolidays.calendarId, calendarHolidays.date], set: { name: holiday.name, updatedAt: now } })
    .returning()
  if (row === undefined) throw new Error('upsert returned no row')
  return toHolidayRecord(row)
}

/** true when a holiday was deleted */
export async function deleteHoliday (db: DbOrTx, calendarId: string, date: string): Promise<boolean> {
  const rows = await db.delete(calendarHolidays)
    .where(and(eq(calendarHolidays.calendarId, calendarId), eq(calendarHolidays.date, date)))
    .returning({ date: calendarHolidays.date })
  return rows.length > 0
}
