/**
 * The ticket state machine. Statuses change only through these actions; anything else is a 409 `invalid-transition`
 * problem that names the current status and the actions it allows.
 *
 *   open ──contact_attempt──▶ pending_customer ──customer_reply──▶ open
 *   open | pending_customer ──close──▶ closed ──reopen (approved request)──▶ open
 *   pending_customer ──contact_attempt──▶ pending_customer (another attempt)
 *   open ──customer_reply──▶ open (nothing to answer)
 */
import { DomainError } from '../errors.js'
import type { TicketStatus } from './ticket.js'

export const TICKET_ACTIONS = ['contact_attempt', 'customer_reply', 'close', 'reopen'] as const
export type TicketAction = (typeof TICKET_ACTIONS)[number]

export const TRANSITIONS: Readonly<Record<TicketStatus, Readonly<Partial<Record<TicketAction, TicketStatus>>>>> = {
  open: { contact_attempt: 'pending_customer', customer_reply: 'open', close: 'closed' },
  pending_customer: { contact_attempt: 'pending_customer', customer_reply: 'open', close: 'closed' },
  closed: { reopen: 'open' }
}

export const allowedActions = (status: TicketStatus): TicketAction[] =>
  TICKET_ACTIONS.filter((a) => TRANSITIONS[status][a] !== undefined)

export const canTransition = (status: TicketStatus, action: TicketAction): boolean => TRANSITIONS[status][action] !== undefined

/** the status after `action`, or 409 invalid-transition naming the current status */
export function transition (status: TicketStatus, action: TicketAction): TicketStatus {
  const next = TRANSITIONS[status][action]
  if (next === undefined) {
    throw new DomainError('invalid-transition', `A ticket in status ${status} cannot ${action.replace('_', ' ')}`, {
      currentStatus: status,
      action,
      allowedActions: allowedActions(status)
    })
  }
  return next
}
