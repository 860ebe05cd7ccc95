/**
 * Reports. SLA attainment (rules in src/domain/sla/attainment.ts): agents and admins see every organization (or one,
 * with organizationId); a customer sees only their own.
 */
import { DateTime } from 'luxon'
import { isStaff, type Principal } from '../domain/access.js'
import { DomainError, notFound } from '../domain/errors.js'
import { REPORT_TIME_ZONE, slaAttainment, type AttainmentFigures, type AttainmentGroup, type AttainmentRow } from '../domain/sla/attainment.js'
import { CALENDAR_IDS, type CalendarId } from '../domain/policy/policy.js'
import type { BusinessCalendar } from '../domain/sla/calendar.js'
import { loadSlaCycles } from '../db/repositories/reports.js'
import type { AppContext } from './context.js'

/** the longest period one report may cover (bounds its cost) */
export const MAX_REPORT_DAYS = 731

export interface SlaAttainmentInput {
  /** YYYY-MM-DD in PT, inclusive */
  from: string
  /** YYYY-MM-DD in PT, inclusive */
  to: string
  groupBy: AttainmentGroup[]
  organizationId?: string
}

export interface SlaAttainmentReport {
  from: string
  to: string
  timeZone: string
  groupBy: AttainmentGroup[]
  organizationId: string | null
  generatedAt: Date
  rows: AttainmentRow[]
  total: AttainmentFigures
}

export async function slaAttainmentReport (ctx: AppContext, p: Principal, input: SlaAttainmentInput): Promise<SlaAttainmentReport> {
  let organizationId = input.organizationId
  if (p.orgId !== null) {
    if (organizationId !== undefined && organizationId !== p.orgId) throw notFound('Organization')
    organizationId = p.orgId
  } else if (!isStaff(p)) throw notFound('Organization')
  const start = DateTime.fromISO(input.from, { zone: REPORT_TIME_ZONE }).startOf('day')
  const end = DateTime.fromISO(input.to, { zone: REPORT_TIME_ZONE }).startOf('day').plus({ days: 1 })
  const days = end.diff(start, 'days').days
  if (!start.isValid || !end.isValid || days < 1 || days > MAX_REPORT_DAYS + 1) {
    throw new DomainError('validation-failed', `from must not be after to, and the period is at most ${MAX_REPORT_DAYS} days`, {
      errors: [{ path: 'query.to', message: `on or after from, at most ${MAX_REPORT_DAYS} days later` }]
    })
  }
  const now = ctx.now()
  const records = await loadSlaCycles(ctx.database.db, { from: start.toJSDate(), to: end.toJSDate(), organizationId })
  const calendars = {} as Record<CalendarId, BusinessCalendar>
  for (const id of CALENDAR_IDS) calendars[id] = await ctx.calendars.require(id)
  const { rows, total } = slaAttainment(records, { groupBy: input.groupBy, now, calendars })
  return { from: input.from, to: input.to, timeZone: REPORT_TIME_ZONE, groupBy: input.groupBy, organizationId: organizationId ?? null, generatedAt: now, rows, total }
}
