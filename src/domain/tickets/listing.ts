import type { Ticket } from './ticket.js'

/**
 * The orders and groupings of ticket lists (issue 14: the agent console's queues and badges).
 */

/** createdAt / updatedAt: newest first; slaDueAt: first responses still owed, soonest deadline first ("breaches next") */
export const TICKET_SORTS = ['createdAt', 'updatedAt', 'slaDueAt'] as const
export type TicketSort = (typeof TICKET_SORTS)[number]

/** the value a ticket is ordered by under `sort` (the keyset position of a page's last ticket) */
export const sortValue = (t: Ticket, sort: TicketSort): Date =>
  sort === 'createdAt' ? t.createdAt : sort === 'updatedAt' ? t.updatedAt : t.sla.dueAt

/** what ticket counts may be grouped by */
export const COUNT_GROUPS = ['status', 'priority', 'slaStatus', 'assigneeId'] as const
export type CountGroup = (typeof COUNT_GROUPS)[number]
