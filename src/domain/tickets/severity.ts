/**
 * Severity changes (pure). Support "will upgrade or downgrade the severity level of the issue according to the
 * severity level that most appropriately reflects the current impact".
 *
 * - direction: to a more severe level (lower rank) is an `upgrade`, to a less severe one a `downgrade`;
 *   the same severity is 409 `severity-unchanged`; a closed ticket is 409 `ticket-closed`.
 * - SLA, while the first response is still owed and the deadline has not passed: the deadline is recomputed from the
 *   moment of the change with the new priority's target and calendar; an upgrade never moves it later than it
 *   already was (the earlier of the two is kept), a downgrade may move it later.
 * - once the deadline has passed without a response the breach stands (a change never erases a breach), and after
 *   the first response the change is recorded and the priority changes but the met/breached result stands: in both
 *   cases the cycle (dueAt, target, calendar) is left as it was.
 */
import { DomainError } from '../errors.js'
import { responseTarget, severityLevel, type PlanId, type Severity } from '../policy/policy.js'
import { addBusinessTime, type BusinessCalendar } from '../sla/calendar.js'
import { assertNotClosed } from './conversation.js'
import { assertCalendarFor, computeAtRiskAt, type SlaView } from './sla.js'
import type { ActorRef, SlaCycle, Ticket } from './ticket.js'

export type SeverityDirection = 'upgrade' | 'downgrade'

/** upgrade/downgrade by severity rank; the same severity is 409 severity-unchanged */
export function severityDirection (from: Severity, to: Severity): SeverityDirection {
  const a = severityLevel(from).rank
  const b = severityLevel(to).rank
  if (a === b) throw new DomainError('severity-unchanged', `The ticket already has severity ${to}`, { severity: to })
  return b < a ? 'upgrade' : 'downgrade'
}

export type SlaEffect = 'recomputed' | 'kept-earlier-deadline' | 'unchanged-responded' | 'unchanged-breached'

export interface SeverityChangeOutcome {
  ticket: Ticket
  from: Severity
  to: Severity
  direction: SeverityDirection
  slaEffect: SlaEffect
}

/**
 * The deadline rule alone: the cycle after a change to `severity` at `now` under `plan`. `calendar` is the calendar
 * of the new priority's target.
 */
export function recomputeCycle (cycle: SlaCycle, input: { plan: PlanId; severity: Severity; direction: SeverityDirection; now: Date; calendar: BusinessCalendar }): { cycle: SlaCycle; effect: SlaEffect } {
  if (cycle.firstRespondedAt !== null) return { cycle, effect: 'unchanged-responded' }
  if (input.now.getTime() > cycle.dueAt.getTime()) return { cycle, effect: 'unchanged-breached' }
  const target = responseTarget(input.plan, input.severity)
  assertCalendarFor(target.calendarId, input.calendar)
  const recomputed = addBusinessTime(input.now, target.targetSeconds, input.calendar)
  const keepEarlier = input.direction === 'upgrade' && cycle.dueAt.getTime() < recomputed.getTime()
  const dueAt = keepEarlier ? cycle.dueAt : recomputed
  return {
    cycle: {
      ...cycle,
      plan: input.plan,
      priority: target.priority,
      targetSeconds: target.targetSeconds,
      calendarId: target.calendarId,
      dueAt,
      atRiskAt: computeAtRiskAt(input.now, dueAt, target.targetSeconds, input.calendar)
    },
    effect: keepEarlier ? 'kept-earlier-deadline' : 'recomputed'
  }
}

/**
 * Applies a severity change. `plan` is the organization's current plan; `calendar` the calendar of
 * responseTarget(plan, to).
 */
export function changeSeverity (ticket: Ticket, input: { to: Severity; plan: PlanId; now: Date; calendar: BusinessCalendar }): SeverityChangeOutcome {
  assertNotClosed(ticket)
  const direction = severityDirection(ticket.severity, input.to)
  const { cycle, effect } = recomputeCycle(ticket.sla, { plan: input.plan, severity: input.to, direction, now: input.now, calendar: input.calendar })
  return {
    ticket: { ...ticket, severity: input.to, priority: severityLevel(input.to).priority, sla: cycle },
    from: ticket.severity,
    to: input.to,
    direction,
    slaEffect: effect
  }
}

/** a recorded severity change, with the ticket's `sla` as it was just before and just after */
export interface SeverityChange {
  id: string
  ticketId: string
  organizationId: string
  from: Severity
  to: Severity
  direction: SeverityDirection
  reason: string
  slaEffect: SlaEffect
  slaBefore: SlaView
  slaAfter: SlaView
  actor: ActorRef
  changedAt: Date
}
