/**
 * First-response cycles of a ticket (pure; the calendar and the clock are arguments).
 */
import { responseTarget, TICKET_POLICY, type PlanId, type Severity } from '../policy/policy.js'
import { addBusinessTime, businessTimeBetween, type BusinessCalendar } from '../sla/calendar.js'
import { isoDuration, slaState, type SlaStatus } from '../sla/first-response.js'
import type { PastSlaCycle, SlaCycle } from './ticket.js'

export type SlaPhase = 'pending' | 'met' | 'breached'

/** what a ticket's `sla` object shows (issue 3 "API") */
export interface SlaView {
  cycle: number
  plan: PlanId
  priority: SlaCycle['priority']
  targetSeconds: number
  targetDuration: string
  calendarId: SlaCycle['calendarId']
  clockStartedAt: Date
  dueAt: Date
  firstRespondedAt: Date | null
  status: SlaStatus
  remainingBusinessSeconds: number
}

const atRiskThresholdMs = (targetSeconds: number): number => Math.round(targetSeconds * TICKET_POLICY.atRiskFraction * 1000)

/**
 * The first instant t >= from at which less than the at-risk fraction of the target is left before dueAt, in business
 * time of `calendar`: remaining(t) = businessTimeBetween(t, dueAt) < target × fraction. remaining only decreases
 * over time, so for every t >= from: at risk ⟺ t >= atRiskAt (exact to the millisecond).
 */
export function computeAtRiskAt (from: Date, dueAt: Date, targetSeconds: number, calendar: BusinessCalendar): Date {
  const remainingMs = Math.round(businessTimeBetween(from, dueAt, calendar) * 1000)
  const threshold = atRiskThresholdMs(targetSeconds)
  if (remainingMs < threshold) return new Date(from)
  // elapsed since `from` must exceed remainingMs − threshold by at least 1 ms
  return addBusinessTime(from, (remainingMs - threshold + 1) / 1000, calendar)
}

export function assertCalendarFor (calendarId: string, calendar: BusinessCalendar): void {
  if (calendar.id !== calendarId) throw new Error(`calendar ${calendar.id} given where ${calendarId} is needed`)
}

/** a new cycle whose clock starts at `at` with the plan's target for the severity */
export function startSlaCycle (input: { cycle: number; plan: PlanId; severity: Severity; at: Date; calendar: BusinessCalendar }): SlaCycle {
  const target = responseTarget(input.plan, input.severity)
  assertCalendarFor(target.calendarId, input.calendar)
  const dueAt = addBusinessTime(input.at, target.targetSeconds, input.calendar)
  return {
    cycle: input.cycle,
    plan: input.plan,
    priority: target.priority,
    targetSeconds: target.targetSeconds,
    calendarId: target.calendarId,
    clockStartedAt: new Date(input.at),
    dueAt,
    atRiskAt: computeAtRiskAt(input.at, dueAt, target.targetSeconds, input.calendar),
    firstRespondedAt: null
  }
}

export const slaPhase = (c: Pick<SlaCycle, 'firstRespondedAt' | 'dueAt'>): SlaPhase =>
  c.firstRespondedAt === null ? 'pending' : c.firstRespondedAt.getTime() <= c.dueAt.getTime() ? 'met' : 'breached'

/** stops the clock (first response); a second call keeps the first instant */
export const recordFirstResponse = (c: SlaCycle, at: Date): SlaCycle =>
  c.firstRespondedAt !== null ? c : { ...c, firstRespondedAt: new Date(at) }

/** what a cycle was set up with: its number, plan, priority and target (also as an ISO 8601 duration), calendar */
export const cycleTerms = (c: Pick<SlaCycle, 'cycle' | 'plan' | 'priority' | 'targetSeconds' | 'calendarId'>) => ({
  cycle: c.cycle,
  plan: c.plan,
  priority: c.priority,
  targetSeconds: c.targetSeconds,
  targetDuration: isoDuration(c.targetSeconds),
  calendarId: c.calendarId
})

/** the `sla` object at `now`: status and remaining business seconds come from the SLA engine's slaState */
export function slaView (c: SlaCycle, calendar: BusinessCalendar, now: Date): SlaView {
  assertCalendarFor(c.calendarId, calendar)
  const state = slaState({
    targetSeconds: c.targetSeconds,
    calendar,
    clockStartedAt: c.clockStartedAt,
    dueAt: c.dueAt,
    firstRespondedAt: c.firstRespondedAt,
    now
  })
  // the fresh terms object is completed in place, not spread into a new one (a list page computes 50 of these, issue 15);
  // typed, not cast: a field SlaView gains and this misses fails to compile
  return Object.assign(cycleTerms(c), {
    clockStartedAt: c.clockStartedAt,
    dueAt: c.dueAt,
    firstRespondedAt: c.firstRespondedAt,
    status: state.status,
    remainingBusinessSeconds: state.remainingBusinessSeconds
  })
}

/**
 * The status from the stored columns only (phase, dueAt, atRiskAt) — what the `slaStatus` list filter evaluates in
 * SQL. Equal to slaView(...).status for every now at or after the last write (property-tested).
 */
export function storedSlaStatus (c: Pick<SlaCycle, 'firstRespondedAt' | 'dueAt' | 'atRiskAt'>, now: Date): SlaStatus {
  const phase = slaPhase(c)
  if (phase !== 'pending') return phase
  const t = now.getTime()
  if (t > c.dueAt.getTime()) return 'breached'
  return t >= c.atRiskAt.getTime() ? 'at_risk' : 'on_track'
}

/** the finished cycle as kept in the history when a new cycle starts at `endedAt` */
export function closeCycle (c: SlaCycle, endedAt: Date): PastSlaCycle {
  const phase = slaPhase(c)
  return {
    cycle: c.cycle,
    plan: c.plan,
    priority: c.priority,
    targetSeconds: c.targetSeconds,
    calendarId: c.calendarId,
    clockStartedAt: c.clockStartedAt,
    dueAt: c.dueAt,
    firstRespondedAt: c.firstRespondedAt,
    // a cycle without a response (cannot happen: closing counts as the response) is judged at its end
    status: phase === 'pending' ? (endedAt.getTime() <= c.dueAt.getTime() ? 'met' : 'breached') : phase,
    endedAt: new Date(endedAt)
  }
}
