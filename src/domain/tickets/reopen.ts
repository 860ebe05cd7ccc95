/**
 * Reopen requests (pure). "If a support ticket is closed due to lack of response, Customer may request that it be
 * reopened."
 *
 * - allowed only for tickets closed with `no_response` (409 `not-closed-for-no-response`), one pending request at a
 *   time (409 `reopen-request-pending`), within TICKET_POLICY.reopenWindowDays × 24 h of the closing
 *   (409 `reopen-window-expired`); checked in that order;
 * - agents approve or deny a pending request once (409 `reopen-request-decided` afterwards); a denial needs a note
 *   (422 `note-required`) so the customer learns why;
 * - approval reopens the ticket: `open`, contact attempts reset, closing fields cleared, and a new first-response
 *   cycle starts at the approval with the ticket's current severity (and the organization's current plan); the
 *   previous cycle, with its met/breached result, moves to the ticket's SLA history.
 */
import { DomainError } from '../errors.js'
import { TICKET_POLICY, type PlanId } from '../policy/policy.js'
import type { BusinessCalendar } from '../sla/calendar.js'
import { hasText } from './closing.js'
import { closeCycle, startSlaCycle } from './sla.js'
import { transition } from './state-machine.js'
import type { ActorRef, Ticket } from './ticket.js'
import { iso } from '../time.js'

export const REOPEN_STATUSES = ['pending', 'approved', 'denied'] as const
export type ReopenStatus = (typeof REOPEN_STATUSES)[number]

export interface ReopenRequest {
  id: string
  ticketId: string
  organizationId: string
  status: ReopenStatus
  reason: string
  requestedBy: ActorRef
  createdAt: Date
  decidedAt: Date | null
  decidedBy: ActorRef | null
  decisionNote: string | null
  version: number
  updatedAt: Date
}

const DAY_MS = 86_400_000

export const reopenWindowEndsAt = (closedAt: Date): Date => new Date(closedAt.getTime() + TICKET_POLICY.reopenWindowDays * DAY_MS)

export function assertCanRequestReopen (ticket: Ticket, input: { pendingRequestId: string | null; now: Date }): void {
  if (ticket.status !== 'closed' || ticket.closedReason !== 'no_response' || ticket.closedAt === null) {
    throw new DomainError('not-closed-for-no-response',
      ticket.status === 'closed'
        ? `The ticket was closed as ${ticket.closedReason ?? 'unknown'}; only tickets closed for lack of response can be reopened on request. Open a new ticket instead.`
        : `The ticket is ${ticket.status}, not closed for lack of response`,
      { currentStatus: ticket.status, closedReason: ticket.closedReason })
  }
  if (input.pendingRequestId !== null) {
    throw new DomainError('reopen-request-pending', 'A reopen request for this ticket is already waiting for a decision', {
      pendingRequestId: input.pendingRequestId
    })
  }
  const endsAt = reopenWindowEndsAt(ticket.closedAt)
  if (input.now.getTime() > endsAt.getTime()) {
    throw new DomainError('reopen-window-expired',
      `Reopen requests are accepted for ${TICKET_POLICY.reopenWindowDays} days after closing; the window ended ${iso(endsAt)}. Open a new ticket instead.`,
      { closedAt: iso(ticket.closedAt), windowEndsAt: iso(endsAt), reopenWindowDays: TICKET_POLICY.reopenWindowDays })
  }
}

export type ReopenDecision = 'approve' | 'deny'

export function decideReopenRequest (request: ReopenRequest, input: { decision: ReopenDecision; note?: string | null; actor: ActorRef; now: Date }): ReopenRequest {
  if (request.status !== 'pending') {
    throw new DomainError('reopen-request-decided', `The reopen request was already ${request.status}`, {
      currentStatus: request.status,
      decidedAt: request.decidedAt?.toISOString() ?? null
    })
  }
  if (input.decision === 'deny' && !hasText(input.note)) {
    throw new DomainError('note-required', 'Denying a reopen request needs a note that tells the customer why', { field: 'note' })
  }
  return {
    ...request,
    status: input.decision === 'approve' ? 'approved' : 'denied',
    decidedAt: new Date(input.now),
    decidedBy: input.actor,
    decisionNote: hasText(input.note) ? input.note : null
  }
}

/** reopens a closed ticket with a new first-response cycle starting at `now` (calendar: of the plan × current severity) */
export function reopenTicket (ticket: Ticket, input: { plan: PlanId; now: Date; calendar: BusinessCalendar }): Ticket {
  const status = transition(ticket.status, 'reopen')
  return {
    ...ticket,
    status,
    closedReason: null,
    closeNote: null,
    closedAt: null,
    closedBy: null,
    contactAttempts: 0,
    slaHistory: [...ticket.slaHistory, closeCycle(ticket.sla, input.now)],
    sla: startSlaCycle({ cycle: ticket.sla.cycle + 1, plan: input.plan, severity: ticket.severity, at: input.now, calendar: input.calendar })
  }
}
