/**
 * Which ticket actions need a current subscription (pure; `now` is an argument).
 *
 * "The support packages apply to Customer, only if Customer is a current paying subscriber." Read as: asking for
 * support needs a current subscription, wrapping up what was asked while it was current does not.
 *
 * - `everyone`: actions that start a new support obligation — opening a ticket, asking to reopen one, approving a
 *   reopen request (which starts a new first-response cycle) — need a current subscription whoever does them
 *   (an agent acting on the customer's behalf included).
 * - `customers`: customers' writes on existing tickets (comments, edits of subject/description) need it: a lapsed
 *   organization's customers keep reading their tickets, conversations and history, but cannot ask for more work.
 * - `nobody`: staff wrap-up on existing tickets stays possible — answering (a first response still records met or
 *   breached on the running cycle), contact attempts, internal notes, severity changes, edits, closing, and denying a
 *   reopen request — so the vendor can bring the organization's open tickets to an end.
 *
 * Refusals are 403 subscription-inactive (src/domain/organizations/organization.ts). Opening a ticket is checked by
 * assertCanOpenTicket (opening.ts), which asks for a current subscription whoever opens it, as `create` says here.
 */
import { assertSubscriptionCurrent, type Organization } from '../organizations/organization.js'

export const TICKET_ACTIONS = ['create', 'request-reopen', 'approve-reopen', 'comment', 'edit', 'deny-reopen', 'change-severity', 'close'] as const
export type TicketAction = (typeof TICKET_ACTIONS)[number]

/** who needs a current subscription for the action */
export type SubscriptionRequirement = 'everyone' | 'customers' | 'nobody'

export const SUBSCRIPTION_REQUIREMENT: Readonly<Record<TicketAction, SubscriptionRequirement>> = Object.freeze({
  create: 'everyone',
  'request-reopen': 'everyone',
  'approve-reopen': 'everyone',
  comment: 'customers',
  edit: 'customers',
  'deny-reopen': 'nobody',
  'change-severity': 'nobody',
  close: 'nobody'
})

export type TicketActor = 'customer' | 'staff'

export function requiresCurrentSubscription (action: TicketAction, by: TicketActor): boolean {
  const rule = SUBSCRIPTION_REQUIREMENT[action]
  return rule === 'everyone' || (rule === 'customers' && by === 'customer')
}

/** 403 subscription-inactive when `by` needs a current subscription for `action` and the organization has none */
export function assertSubscriptionAllows (action: TicketAction, input: { organization: Organization; by: TicketActor; now: Date }): void {
  if (requiresCurrentSubscription(action, input.by)) assertSubscriptionCurrent(input.organization, input.now)
}
