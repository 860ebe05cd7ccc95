import { and, asc, eq, sql } from 'drizzle-orm'
import type { SeverityChange } from '../../domain/tickets/severity.js'
import type { SlaView } from '../../domain/tickets/sla.js'
import type { ActorRef } from '../../domain/tickets/ticket.js'
import type { DbOrTx } from '../client.js'
import { severityChanges } from '../schema/tickets.js'
import { iso } from '../../domain/time.js'

type Row = typeof severityChanges.$inferSelect

const slaToJson = (v: SlaView): Record<string, unknown> => ({
  ...v,
  clockStartedAt: iso(v.clockStartedAt),
  dueAt: iso(v.dueAt),
  firstRespondedAt: v.firstRespondedAt?.toISOString() ?? null
})

const slaFromJson = (j: Record<string, unknown>): SlaView => ({
  ...(j as unknown as SlaView),
  clockStartedAt: new Date(j.clockStartedAt as string),
  dueAt: new Date(j.dueAt as string),
  firstRespondedAt: j.firstRespondedAt === null ? null : new Date(j.firstRespondedAt as string)
})

export const toSeverityChange = (r: Row): SeverityChange => ({
  id: r.id,
  ticketId: r.ticketId,
  organizationId: r.organizationId,
  from: r.fromSeverity,
  to: r.toSeverity,
  direction: r.direction,
  reason: r.reason,
  slaEffect: r.slaEffect as SeverityChange['slaEffect'],
  slaBefore: slaFromJson(r.slaBefore),
  slaAfter: slaFromJson(r.slaAfter),
  actor: { id: r.actorId, role: r.actorRole as ActorRef['role'] },
  changedAt: r.changedAt
})

export async function insertSeverityChange (db: DbOrTx, c: Omit<SeverityChange, 'id'>): Promise<SeverityChange> {
  const [row] = await db.insert(severityChanges).values({
    ticketId: c.ticketId,
    organizationId: c.organizationId,
    fromSeverity: c.from,
    toSeverity: c.to,
    direction: c.direction,
    reason: c.reason,
    slaEffect: c.slaEffect,
    slaBefore: slaToJson(c.slaBefore),
    slaAfter: slaToJson(c.slaAfter),
    actorId: c.actor.id,
    actorRole: c.actor.role,
    changedAt: c.changedAt
  }).returning()
  if (row === undefined) throw new Error('insert returned no row')
  return toSeverityChange(row)
}

export async function findSeverityChange (db: DbOrTx, ticketId: string, id: string): Promise<SeverityChange | undefined> {
  const rows = await db.select().from(severityChanges).where(and(eq(severityChanges.ticketId, ticketId), eq(severityChanges.id, id)))
  return rows[0] === undefined ? undefined : toSeverityChange(rows[0])
}

/** the history in order (oldest first) */
export async function listSeverityChanges (db: DbOrTx, ticketId: string, opts: { limit: number; after?: { createdAt: Date; id: string } }): Promise<SeverityChange[]> {
  const after = opts.after
  const rows = await db.select().from(severityChanges)
    .where(and(
      eq(severityChanges.ticketId, ticketId),
      after === undefined ? undefined : sql`(${severityChanges.changedAt}, ${severityChanges.id}) > (${iso(after.createdAt)}::timestamptz, ${after.id}::uuid)`
    ))
    .orderBy(asc(severityChanges.changedAt), asc(severityChanges.id))
    .limit(opts.limit)
  return rows.map(toSeverityChange)
}
