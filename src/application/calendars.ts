/**
 * Calendar administration: reading calendars and managing their holidays.
 *
 * Every holiday change locks the calendar row, bumps calendars.version and records a `calendar.*` event in the same
 * transaction, then drops this instance's cached copy (other replicas notice the new version within
 * CALENDAR_RECHECK_MS). Holiday changes never rewrite deadlines already issued: they only apply to deadlines
 * computed afterwards.
 */
import { createHash } from 'node:crypto'
import { actorOf, requireGlobalRole, type Principal } from '../domain/access.js'
import { DomainError, notFound } from '../domain/errors.js'
import { recordEvent } from '../db/events.js'
import * as repo from '../db/repositories/calendars.js'
import type { CalendarRecord, HolidayRecord } from '../db/repositories/calendars.js'
import type { Tx } from '../db/client.js'
import type { AppContext } from './context.js'
import { checkVersion, savedOrStale } from './guards.js'
import { pageOf, type Page } from './page.js'

export type { CalendarRecord, HolidayRecord }

/** fixed namespace for calendar resource ids (UUID v5 of the calendar's text id) */
const CALENDAR_NAMESPACE = '6f1c2d0e-8a4b-5c3d-9e2f-0a1b2c3d4e5f'

/**
 * The UUID under which events of a calendar are recorded (events.resource_id is a uuid, calendar ids are text):
 * a name-based UUID v5 of the calendar id, stable forever. Events also carry `data.calendarId`.
 */
export function calendarResourceId (calendarId: string): string {
  const ns = Buffer.from(CALENDAR_NAMESPACE.replace(/-/g, ''), 'hex')
  const hash = createHash('sha1').update(ns).update(calendarId, 'utf8').digest()
  const b = hash.subarray(0, 16)
  b[6] = (b[6]! & 0x0f) | 0x50
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = b.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const calendarNotFound = (id: string): DomainError => notFound(`Calendar ${id}`)

/** any authenticated caller may read calendars (they explain deadlines) */
export async function listCalendars (ctx: AppContext, _p: Principal, opts: { limit: number; afterId?: string }): Promise<Page<CalendarRecord>> {
  const rows = await repo.listCalendars(ctx.database.db, { limit: opts.limit + 1, afterId: opts.afterId })
  return pageOf(rows, opts.limit)
}

export async function getCalendar (ctx: AppContext, _p: Principal, id: string): Promise<CalendarRecord> {
  const cal = await repo.findCalendar(ctx.database.db, id)
  if (cal === undefined) throw calendarNotFound(id)
  return cal
}

/** a page of holidays (by date) and the calendar they belong to (its version is the ETag of the holiday list) */
export async function listHolidays (ctx: AppContext, _p: Principal, id: string, opts: { limit: number; year?: number; afterDate?: string }): Promise<{ calendar: CalendarRecord; items: HolidayRecord[]; hasMore: boolean }> {
  return await ctx.transaction(async (tx) => {
    const calendar = await repo.findCalendar(tx, id)
    if (calendar === undefined) throw calendarNotFound(id)
    const rows = await repo.listHolidayPage(tx, id, { limit: opts.limit + 1, year: opts.year, afterDate: opts.afterDate })
    return { calendar, ...pageOf(rows, opts.limit) }
  })
}

export async function getHoliday (ctx: AppContext, _p: Principal, id: string, date: string): Promise<{ calendar: CalendarRecord; holiday: HolidayRecord }> {
  return await ctx.transaction(async (tx) => {
    const calendar = await repo.findCalendar(tx, id)
    if (calendar === undefined) throw calendarNotFound(id)
    const holiday = await repo.findHoliday(tx, id, date)
    if (holiday === undefined) throw notFound(`Holiday ${date} of calendar ${id}`)
    return { calendar, holiday }
  })
}

async function lockCalendar (tx: Tx, id: string, expectedVersion: number | undefined): Promise<CalendarRecord> {
  const calendar = await repo.findCalendar(tx, id, { forUpdate: true })
  if (calendar === undefined) throw calendarNotFound(id)
  checkVersion('calendar', expectedVersion, calendar.version, 'short')
  return calendar
}

async function bump (tx: Tx, calendar: CalendarRecord, now: Date): Promise<CalendarRecord> {
  return savedOrStale(await repo.bumpCalendarVersion(tx, calendar.id, calendar.version, now), 'calendar', 'short')
}

export interface PutHolidayResult {
  holiday: HolidayRecord
  calendar: CalendarRecord
  /** true: a new holiday (201); false: an existing one was replaced or was already identical (200) */
  created: boolean
}

/**
 * Creates or renames the holiday of one local date (admin). A PUT that changes nothing (same name) does not bump
 * the version nor record an event. Refused with 409 calendar-ignores-holidays on calendars that are open on
 * holidays, where a holiday would have no effect.
 */
export async function putHoliday (ctx: AppContext, p: Principal, id: string, date: string, name: string, expectedVersion: number | undefined): Promise<PutHolidayResult> {
  requireGlobalRole(p, 'admin')
  const now = ctx.now()
  const result = await ctx.transaction(async (tx) => {
    const calendar = await lockCalendar(tx, id, expectedVersion)
    if (!calendar.observesHolidays) {
      throw new DomainError('calendar-ignores-holidays', `Calendar ${id} is open on holidays; holidays cannot be added to it`, { calendarId: id })
    }
    const before = await repo.findHoliday(tx, id, date)
    if (before !== undefined && before.name === name) return { holiday: before, calendar, created: false }
    const holiday = await repo.upsertHoliday(tx, { calendarId: id, date, name }, now)
    const saved = await bump(tx, calendar, now)
    await recordEvent(tx, {
      type: before === undefined ? 'calendar.holiday_added' : 'calendar.holiday_renamed',
      organizationId: null,
      resourceType: 'calendar',
      resourceId: calendarResourceId(id),
      resourceVersion: saved.version,
      actor: actorOf(p),
      occurredAt: now,
      data: { calendarId: id, date, name, ...(before === undefined ? {} : { before: { name: before.name } }) }
    })
    return { holiday, calendar: saved, created: before === undefined }
  })
  ctx.calendars.invalidate(id)
  return result
}

/** Deletes the holiday of one local date (admin); absent → 404. */
export async function deleteHoliday (ctx: AppContext, p: Principal, id: string, date: string, expectedVersion: number | undefined): Promise<CalendarRecord> {
  requireGlobalRole(p, 'admin')
  const now = ctx.now()
  const saved = await ctx.transaction(async (tx) => {
    const calendar = await lockCalendar(tx, id, expectedVersion)
    const before = await repo.findHoliday(tx, id, date)
    if (before === undefined || !(await repo.deleteHoliday(tx, id, date))) throw notFound(`Holiday ${date} of calendar ${id}`)
    const next = await bump(tx, calendar, now)
    await recordEvent(tx, {
      type: 'calendar.holiday_removed',
      organizationId: null,
      resourceType: 'calendar',
      resourceId: calendarResourceId(id),
      resourceVersion: next.version,
      actor: actorOf(p),
      occurredAt: now,
      data: { calendarId: id, date, before: { name: before.name } }
    })
    return next
  })
  ctx.calendars.invalidate(id)
  return saved
}
