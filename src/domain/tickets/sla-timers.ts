/**
 * SLA timers (issue 12), pure: when a ticket's first-response cycle turns at risk and breached, and what a timer that
 * fires later must do. The moments come from the cycle's stored `atRiskAt` / `dueAt` (computed by the SLA engine on the
 * ticket's calendar when the clock started or moved), so the events agree with `sla.status` and the `slaStatus` filter.
 */
import { slaPhase, storedSlaStatus } from './sla.js'
import type { SlaCycle, TicketStatus } from './ticket.js'

export const SLA_TIMER_KINDS = ['at_risk', 'breached'] as const
export type SlaTimerKind = (typeof SLA_TIMER_KINDS)[number]

export const SLA_EVENT_TYPES: Record<SlaTimerKind, string> = { at_risk: 'ticket.sla_at_risk', breached: 'ticket.sla_breached' }

export interface SlaTimer {
  cycle: number
  kind: SlaTimerKind
  /** the real moment: atRiskAt (at_risk) or dueAt (breached) of the cycle when the timer was set */
  moment: Date
  /** the first instant at which sla.status reads the kind: atRiskAt, or 1 ms after dueAt (at dueAt itself 0 is left: at risk) */
  fireAt: Date
}

/** a first response is owed on this cycle: no response yet and the ticket is not closed */
export const responseOwed = (t: { status: TicketStatus; sla: Pick<SlaCycle, 'firstRespondedAt' | 'dueAt'> }): boolean =>
  t.status !== 'closed' && slaPhase(t.sla) === 'pending'

/** the two timers of a cycle while its first response is owed (none otherwise) */
export function slaTimers (t: { status: TicketStatus; sla: SlaCycle }): SlaTimer[] {
  if (!responseOwed(t)) return []
  return [
    { cycle: t.sla.cycle, kind: 'at_risk', moment: new Date(t.sla.atRiskAt), fireAt: new Date(t.sla.atRiskAt) },
    { cycle: t.sla.cycle, kind: 'breached', moment: new Date(t.sla.dueAt), fireAt: new Date(t.sla.dueAt.getTime() + 1) }
  ]
}

/**
 * The timers a write must schedule: those of the new state whose moment did not exist before (a new cycle, a moved
 * deadline, a clock that started again). An unchanged cycle schedules nothing; a stopped clock schedules nothing (the
 * pending timers find it answered and do nothing).
 */
export function timersToSchedule (before: { status: TicketStatus; sla: SlaCycle } | null, after: { status: TicketStatus; sla: SlaCycle }): SlaTimer[] {
  const had = before === null ? [] : slaTimers(before)
  return slaTimers(after).filter((t) => !had.some((h) => h.cycle === t.cycle && h.kind === t.kind && h.moment.getTime() === t.moment.getTime()))
}

/**
 * Timers split at a horizon (issue 15): those due by then go to the job engine now; the others wait on the ticket,
 * which keeps only the earliest of their instants (`later`, its timer pointer) until a sweep reaches it. Far-off timers
 * thus cost a create no job row; near ones (a back-dated ticket, a sweep that reached the pointer) are jobs at once.
 */
export function splitTimers (timers: readonly SlaTimer[], horizon: Date): { now: SlaTimer[]; later: Date | null } {
  const now: SlaTimer[] = []
  let later: number | null = null
  for (const timer of timers) {
    const at = timer.fireAt.getTime()
    if (at <= horizon.getTime()) now.push(timer)
    else if (later === null || at < later) later = at
  }
  return { now, later: later === null ? null : new Date(later) }
}

/**
 * What a sweep does with a ticket whose pointer it reached: every timer of the current state from the pointer on
 * (the ones before it were handed on already, or belong to a state that is gone) split at the horizon. A ticket whose
 * response is no longer owed has none: its pointer is cleared.
 */
export const sweepTimers = (t: { status: TicketStatus; sla: SlaCycle }, pointer: Date, horizon: Date): { now: SlaTimer[]; later: Date | null } =>
  splitTimers(slaTimers(t).filter((x) => x.fireAt.getTime() >= pointer.getTime()), horizon)

export type SlaTimerDecision =
  | { action: 'stale'; reason: 'other_cycle' | 'answered_or_closed' | 'moved' }
  | { action: 'wait'; until: Date }
  | { action: 'fire' }

/**
 * What a timer that fires at `now` does, re-reading the ticket: a timer of another cycle, of a cycle whose response is
 * no longer owed, or whose moment moved (a newer timer carries the new one) does nothing; one that fired early (clock
 * skew between the job engine and the service) waits; otherwise it fires — also long after the moment (catch-up).
 */
export function decideSlaTimer (t: { status: TicketStatus; sla: SlaCycle }, timer: Pick<SlaTimer, 'cycle' | 'kind' | 'moment'>, now: Date): SlaTimerDecision {
  if (t.sla.cycle !== timer.cycle) return { action: 'stale', reason: 'other_cycle' }
  const current = slaTimers(t).find((x) => x.kind === timer.kind)
  if (current === undefined) return { action: 'stale', reason: 'answered_or_closed' }
  if (current.moment.getTime() !== timer.moment.getTime()) return { action: 'stale', reason: 'moved' }
  if (now.getTime() < current.fireAt.getTime()) return { action: 'wait', until: current.fireAt }
  // the stored status agrees (property: storedSlaStatus is at_risk or breached from fireAt on)
  const status = storedSlaStatus(t.sla, now)
  if (timer.kind === 'breached' && status !== 'breached') throw new Error(`sla timer: breached timer fired while status is ${status}`)
  return { action: 'fire' }
}
