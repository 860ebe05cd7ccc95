import { and, asc, eq, gt, type SQL } from 'drizzle-orm'
import type { DbOrTx } from '../client.js'
import { events } from '../schema/events.js'

export type TicketEventRow = typeof events.$inferSelect

/**
 * A ticket's audit trail: every event written for the ticket or its comments, severity changes and reopen requests,
 * in the order they were written (events.id). Customers never get `internal` events.
 */
export async function listTicketEvents (db: DbOrTx, ticketId: string, q: { includeInternal: boolean; limit: number; afterId?: number }): Promise<TicketEventRow[]> {
  const where: SQL[] = [eq(events.ticketId, ticketId)]
  if (!q.includeInternal) where.push(eq(events.visibility, 'public'))
  if (q.afterId !== undefined) where.push(gt(events.id, q.afterId))
  return await db.select().from(events).where(and(...where)).orderBy(asc(events.id)).limit(q.limit)
}
