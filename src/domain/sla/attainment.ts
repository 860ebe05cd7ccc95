/**
 * SLA attainment (pure; `now` and the calendars are arguments): how many first-response cycles met their target.
 *
 * Definitions (docs/sla.md "SLA attainment report"):
 * - the unit is a first-response **cycle**: a ticket's first cycle and every cycle a reopen started count separately;
 * - a cycle belongs to the period, month, plan and priority of its clock start (clockStartedAt, months in PT); plan
 *   and priority are those its deadline was computed with, i.e. in force when the cycle was decided (a severity change
 *   while the response was owed recomputes them; one after the response or after the breach leaves them);
 * - outcome: `met` (first response at or before dueAt), `breached` (a late response, or none and now > dueAt), `owed`
 *   (no response yet and now <= dueAt: not decided yet); attainment % = met / (met + breached);
 * - time to first response: business seconds of the cycle's calendar from clock start to the first response, over
 *   the answered cycles (an unanswered breach has none); median and p90 by nearest rank.
 */
import { DateTime } from 'luxon'
import type { CalendarId, PlanId, Priority } from '../policy/policy.js'
import { businessTimeBetween, type BusinessCalendar } from './calendar.js'

export const ATTAINMENT_GROUPS = ['plan', 'priority', 'organization', 'month'] as const
export type AttainmentGroup = (typeof ATTAINMENT_GROUPS)[number]

/** the vendor's time zone: months of the report are PT months */
export const REPORT_TIME_ZONE = 'America/Los_Angeles'

export interface CycleRecord {
  ticketId: string
  organizationId: string
  organizationName: string
  cycle: number
  plan: PlanId
  priority: Priority
  calendarId: CalendarId
  clockStartedAt: Date
  dueAt: Date
  firstRespondedAt: Date | null
  /** a finished cycle's stored result (history); null for the current cycle */
  storedStatus: 'met' | 'breached' | null
}

export type CycleOutcome = 'met' | 'breached' | 'owed'

export function cycleOutcome (c: CycleRecord, now: Date): CycleOutcome {
  if (c.storedStatus !== null) return c.storedStatus
  if (c.firstRespondedAt !== null) return c.firstRespondedAt.getTime() <= c.dueAt.getTime() ? 'met' : 'breached'
  return now.getTime() > c.dueAt.getTime() ? 'breached' : 'owed'
}

export interface AttainmentFigures {
  cycles: number
  tickets: number
  met: number
  breached: number
  owed: number
  /** met / (met + breached) × 100, two decimals; null when nothing is decided */
  attainmentPercent: number | null
  medianFirstResponseBusinessSeconds: number | null
  p90FirstResponseBusinessSeconds: number | null
}

export interface AttainmentRow extends AttainmentFigures {
  plan?: PlanId
  priority?: Priority
  organizationId?: string
  organizationName?: string
  /** YYYY-MM in PT */
  month?: string
}

/** nearest-rank percentile of sorted values: the value at rank ceil(p × n) */
export function nearestRank (sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.max(1, Math.ceil(p * sorted.length))
  return sorted[rank - 1] as number
}

export const monthOf = (at: Date): string => DateTime.fromJSDate(at, { zone: REPORT_TIME_ZONE }).toFormat('yyyy-MM')

function figures (cycles: Array<{ c: CycleRecord; outcome: CycleOutcome; seconds: number | null }>): AttainmentFigures {
  const met = cycles.filter((x) => x.outcome === 'met').length
  const breached = cycles.filter((x) => x.outcome === 'breached').length
  const times = cycles.map((x) => x.seconds).filter((s): s is number => s !== null).sort((a, b) => a - b)
  return {
    cycles: cycles.length,
    tickets: new Set(cycles.map((x) => x.c.ticketId)).size,
    met,
    breached,
    owed: cycles.length - met - breached,
    attainmentPercent: met + breached === 0 ? null : Math.round((met / (met + breached)) * 10000) / 100,
    medianFirstResponseBusinessSeconds: nearestRank(times, 0.5),
    p90FirstResponseBusinessSeconds: nearestRank(times, 0.9)
  }
}

/** rows per combination of the group keys (in groupBy order, sorted by those keys) and the total */
export function slaAttainment (records: readonly CycleRecord[], input: { groupBy: readonly AttainmentGroup[]; now: Date; calendars: Record<CalendarId, BusinessCalendar> }): { rows: AttainmentRow[]; total: AttainmentFigures } {
  const measured = records.map((c) => ({
    c,
    outcome: cycleOutcome(c, input.now),
    seconds: c.firstRespondedAt === null ? null : Math.round(businessTimeBetween(c.clockStartedAt, c.firstRespondedAt, input.calendars[c.calendarId]))
  }))
  const keyOf = (c: CycleRecord): AttainmentRow => {
    const row: AttainmentRow = {} as AttainmentRow
    for (const g of input.groupBy) {
      if (g === 'plan') row.plan = c.plan
      else if (g === 'priority') row.priority = c.priority
      else if (g === 'organization') { row.organizationId = c.organizationId; row.organizationName = c.organizationName } else row.month = monthOf(c.clockStartedAt)
    }
    return row
  }
  const sortKey = (c: CycleRecord): string[] => input.groupBy.map((g) =>
    g === 'plan' ? String(['basic', 'enhanced', 'premier'].indexOf(c.plan)) : g === 'priority' ? c.priority : g === 'organization' ? `${c.organizationName}\u0000${c.organizationId}` : monthOf(c.clockStartedAt))
  const groups = new Map<string, { key: AttainmentRow; sort: string[]; items: typeof measured }>()
  if (input.groupBy.length > 0) {
    for (const m of measured) {
      const sort = sortKey(m.c)
      const k = JSON.stringify(sort)
      let g = groups.get(k)
      if (g === undefined) { g = { key: keyOf(m.c), sort, items: [] }; groups.set(k, g) }
      g.items.push(m)
    }
  }
  const rows = [...groups.values()]
    .sort((a, b) => { for (let i = 0; i < a.sort.length; i++) { const d = (a.sort[i] as string).localeCompare(b.sort[i] as string); if (d !== 0) return d } return 0 })
    .map((g) => ({ ...g.key, ...figures(g.items) }))
  return { rows, total: figures(measured) }
}
