import { and, asc, eq, gte, lt } from 'drizzle-orm'
import type { DbOrTx } from '../client.js'
import { calendarHolidays, calendars } from '../schema/calendars.js'

export type CalendarRow = typeof calendars.$inferSelect
export type HolidayRow = typeof calendarHolidays.$inferSelect

export async function findCalendarRow (db: DbOrTx, id: string): Promise<CalendarRow | undefined> {
  const [row] = await db.select().from(calendars).where(eq(calendars.id, id))
  return row
}

export async function calendarVersion (db: DbOrTx, id: string): Promise<number | undefined> {
  const [row] = await db.select({ version: calendars.version }).from(calendars).where(eq(calendars.id, id))
  return row?.version
}

export async function listCalendarRows (db: DbOrTx): Promise<CalendarRow[]> {
  return await db.select().from(calendars).orderBy(asc(calendars.id))
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
