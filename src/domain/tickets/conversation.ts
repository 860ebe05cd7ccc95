/**
 * Comments and what they do to a ticket: the first response and contact attempts (pure).
 *
 * - The first PUBLIC comment by an agent/admin is the first response: it stops the clock of the current cycle
 *   (`sla.status` becomes `met` or `breached`). Internal notes and customer comments never count.
 * - An agent's public comment with `awaitingCustomer: true` is a contact attempt: the ticket goes to
 *   `pending_customer` and the count of unanswered attempts goes up by one.
 * - When the email channel is on, the email IS the attempt: the ticket goes to `pending_customer` at once, but the
 *   attempt is counted only when its email is delivered (`recordDeliveredAttempt`), and not at all if a customer
 *   comment answered in between.
 * - A customer comment answers them: the count goes back to 0 and the status back to `open`.
 * - A closed ticket takes no comments (409 `ticket-closed`, pointing to a reopen request when it was closed for no
 *   response, to a new ticket otherwise).
 */
import { DomainError } from '../errors.js'
import { recordFirstResponse } from './sla.js'
import { transition } from './state-machine.js'
import { isStaffActor, type ActorRef, type CommentVisibility, type Ticket } from './ticket.js'

export interface NewComment {
  author: ActorRef
  visibility: CommentVisibility
  awaitingCustomer: boolean
}

export interface CommentEffects {
  ticket: Ticket
  /** this comment is the cycle's first response */
  firstResponse: boolean
  /** this comment is a contact attempt */
  contactAttempt: boolean
  /** this customer comment answered contact attempts (count reset and/or back to open) */
  answeredContactAttempts: boolean
}

/** refuses any change to a closed ticket with a problem that tells the caller where to go instead */
export function assertNotClosed (ticket: Ticket): void {
  if (ticket.status !== 'closed') return
  const reopenable = ticket.closedReason === 'no_response'
  throw new DomainError('ticket-closed', reopenable
    ? 'The ticket was closed for lack of response; ask to reopen it with POST /v1/tickets/{ticketId}/reopen-requests'
    : 'The ticket is closed; open a new ticket with POST /v1/tickets', {
    currentStatus: ticket.status,
    closedReason: ticket.closedReason,
    next: reopenable
      ? { action: 'request-reopen', method: 'POST', href: `/v1/tickets/${ticket.id}/reopen-requests` }
      : { action: 'create-ticket', method: 'POST', href: '/v1/tickets' }
  })
}

export function applyComment (ticket: Ticket, comment: NewComment, now: Date, opts: { countAttemptOnDelivery?: boolean } = {}): CommentEffects {
  assertNotClosed(ticket)
  const staff = isStaffActor(comment.author)
  if (!staff && comment.visibility === 'internal') {
    throw new DomainError('forbidden', 'Customers cannot write internal comments', { field: 'visibility' })
  }
  if (!staff && comment.awaitingCustomer) {
    throw new DomainError('forbidden', 'Only agents make contact attempts (awaitingCustomer)', { field: 'awaitingCustomer' })
  }
  if (comment.visibility === 'internal' && comment.awaitingCustomer) {
    throw new DomainError('validation-failed', 'awaitingCustomer needs a public comment: the customer never sees internal ones', {
      errors: [{ path: '/awaitingCustomer', message: 'is only allowed with visibility public' }]
    })
  }
  let next = ticket
  let firstResponse = false
  let contactAttempt = false
  let answered = false
  if (staff && comment.visibility === 'public') {
    if (next.sla.firstRespondedAt === null) {
      next = { ...next, sla: recordFirstResponse(next.sla, now) }
      firstResponse = true
    }
    if (comment.awaitingCustomer) {
      const counted = opts.countAttemptOnDelivery === true ? 0 : 1
      next = { ...next, status: transition(next.status, 'contact_attempt'), contactAttempts: next.contactAttempts + counted }
      contactAttempt = true
    }
  } else if (!staff) {
    if (next.contactAttempts > 0 || next.status !== 'open') {
      next = { ...next, status: transition(next.status, 'customer_reply'), contactAttempts: 0 }
      answered = true
    }
  }
  return { ticket: next, firstResponse, contactAttempt, answeredContactAttempts: answered }
}

/**
 * The email of a contact attempt was delivered: it now counts, unless the ticket is closed or the customer answered
 * after the attempt was made (`answeredSince`). undefined: nothing changes.
 */
export function recordDeliveredAttempt (ticket: Ticket, answeredSince: boolean): Ticket | undefined {
  if (ticket.status !== 'pending_customer' || answeredSince) return undefined
  return { ...ticket, contactAttempts: ticket.contactAttempts + 1 }
}
