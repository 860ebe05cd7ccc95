/**
 * Reads for reports. SLA attainment: every first-response cycle (current and past) whose clock started in
 * [from, to). A cycle's clock starts at the ticket's creation or at a reopen approval, which writes the ticket, so a
 * ticket with such a cycle has created_at < to and updated_at >= from: the read is a range of the
 * (updated_at, id) index, filtered by created_at (and the organization), and the cycles are picked in the caller.
 */
import { and, eq, gte, lt, type SQL } from 'drizzle-orm'
import type { CycleRecord } from '../../domain/sla/attainment.js'
import type { DbOrTx } from '../client.js'
import { organizations } from '../schema/organizations.js'
import { tickets } from '../schema/tickets.js'

export async function loadSlaCycles (db: DbOrTx, input: { from: Date; to: Date; organizationId?: string }): Promise<CycleRecord[]> {
  const where: SQL[] = [gte(tickets.updatedAt, input.from), lt(tickets.createdAt, input.to)]
  if (input.organizationId !== undefined) where.push(eq(tickets.organizationId, input.organizationId))
  const rows = await db.select({
    id: tickets.id,
    organizationId: tickets.organizationId,
    organizationName: organizations.name,
    cycle: tickets.slaCycle,
    plan: tickets.slaPlan,
    priority: tickets.slaPriority,
    calendarId: tickets.slaCalendarId,
    clockStartedAt: tickets.slaClockStartedAt,
    dueAt: tickets.slaDueAt,
    firstRespondedAt: tickets.firstRespondedAt,
    history: tickets.slaHistory
  }).from(tickets).innerJoin(organizations, eq(organizations.id, tickets.organizationId)).where(and(...where))
  const out: CycleRecord[] = []
  const inRange = (at: Date): boolean => at.getTime() >= input.from.getTime() && at.getTime() < input.to.getTime()
  for (const r of rows) {
    for (const h of r.history) {
      const clockStartedAt = new Date(h.clockStartedAt)
      if (!inRange(clockStartedAt)) continue
      out.push({
        ticketId: r.id, organizationId: r.organizationId, organizationName: r.organizationName, cycle: h.cycle,
        plan: h.plan as CycleRecord['plan'], priority: h.priority as CycleRecord['priority'], calendarId: h.calendarId as CycleRecord['calendarId'],
        clockStartedAt, dueAt: new Date(h.dueAt), firstRespondedAt: h.firstRespondedAt === null ? null : new Date(h.firstRespondedAt), storedStatus: h.status
      })
    }
    if (!inRange(r.clockStartedAt)) continue
    out.push({
      ticketId: r.id, organizationId: r.organizationId, organizationName: r.organizationName, cycle: r.cycle,
      plan: r.plan, priority: r.priority, calendarId: r.calendarId, clockStartedAt: r.clockStartedAt, dueAt: r.dueAt,
      firstRespondedAt: r.firstRespondedAt, storedStatus: null
    })
  }
  return out
}
