/**
 * Closing rules (pure). "Valimail may close support tickets if they are outside the scope of the Support Services or if
 * multiple attempts to contact the Customer with regard to a support ticket have gone unanswered."
 *
 * - `no_response` needs at least TICKET_POLICY.minContactAttemptsForNoResponse unanswered contact attempts
 *   (409 `not-enough-contact-attempts` with the current count);
 * - `out_of_scope` needs a note saying why (422 `note-required`);
 * - closing a closed ticket is an invalid transition (409, names the current status);
 * - closing stops an open first-response clock: the closure (with its note) is what the customer receives, so a
 *   ticket closed before any public agent comment gets firstRespondedAt = closedAt.
 */
import { DomainError } from '../errors.js'
import { TICKET_POLICY } from '../policy/policy.js'
import { recordFirstResponse } from './sla.js'
import { transition } from './state-machine.js'
import type { ActorRef, ClosedReason, Ticket } from './ticket.js'

export interface CloseInput {
  reason: ClosedReason
  note?: string | null
  actor: ActorRef
}

export const hasText = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim().length > 0

export function closeTicket (ticket: Ticket, input: CloseInput, now: Date): Ticket {
  const status = transition(ticket.status, 'close')
  const required = TICKET_POLICY.minContactAttemptsForNoResponse
  if (input.reason === 'no_response' && ticket.contactAttempts < required) {
    throw new DomainError('not-enough-contact-attempts',
      `Closing for no response needs at least ${required} unanswered contact attempts; the ticket has ${ticket.contactAttempts}`,
      { contactAttempts: ticket.contactAttempts, required })
  }
  if (input.reason === 'out_of_scope' && !hasText(input.note)) {
    throw new DomainError('note-required', 'Closing as out of scope needs a note that explains why', { field: 'note' })
  }
  return {
    ...ticket,
    status,
    closedReason: input.reason,
    closeNote: hasText(input.note) ? input.note : null,
    closedAt: new Date(now),
    closedBy: input.actor,
    sla: recordFirstResponse(ticket.sla, now)
  }
}
