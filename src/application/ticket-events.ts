/**
 * A ticket's audit trail, read from the outbox (events) table.
 */
import { isStaff, type Principal } from '../domain/access.js'
import { listTicketEvents as listRows, type TicketEventRow } from '../db/repositories/ticket-events.js'

export type { TicketEventRow }
import type { AppContext } from './context.js'
import { loadTicket } from './tickets.js'
import { pageOf, type Page } from './page.js'

export async function listTicketEvents (ctx: AppContext, p: Principal, ticketId: string, page: { limit: number; afterId?: number }): Promise<Page<TicketEventRow>> {
  const db = ctx.database.db
  await loadTicket(db, p, ticketId)
  const rows = await listRows(db, ticketId, { includeInternal: isStaff(p), limit: page.limit + 1, afterId: page.afterId })
  return pageOf(rows, page.limit)
}
