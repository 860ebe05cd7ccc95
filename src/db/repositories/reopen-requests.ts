import { and, asc, eq, sql } from 'drizzle-orm'
import type { ReopenRequest, ReopenStatus } from '../../domain/tickets/reopen.js'
import type { ActorRef } from '../../domain/tickets/ticket.js'
import type { DbOrTx } from '../client.js'
import { reopenRequests } from '../schema/tickets.js'
import { iso } from '../../domain/time.js'

type Row = typeof reopenRequests.$inferSelect

const actor = (id: string | null, role: string | null): ActorRef | null =>
  id === null || role === null ? null : { id, role: role as ActorRef['role'] }

export const toReopenRequest = (r: Row): ReopenRequest => ({
  id: r.id,
  ticketId: r.ticketId,
  organizationId: r.organizationId,
  status: r.status,
  reason: r.reason,
  requestedBy: { id: r.requestedById, role: r.requestedByRole as ActorRef['role'] },
  createdAt: r.createdAt,
  decidedAt: r.decidedAt,
  decidedBy: actor(r.decidedById, r.decidedByRole),
  decisionNote: r.decisionNote,
  version: r.version,
  updatedAt: r.updatedAt
})

export async function insertReopenRequest (db: DbOrTx, r: { ticketId: string; organizationId: string; reason: string; requestedBy: ActorRef; now: Date }): Promise<ReopenRequest> {
  const [row] = await db.insert(reopenRequests).values({
    ticketId: r.ticketId,
    organizationId: r.organizationId,
    status: 'pending',
    reason: r.reason,
    requestedById: r.requestedBy.id,
    requestedByRole: r.requestedBy.role,
    createdAt: r.now,
    updatedAt: r.now
  }).returning()
  if (row === undefined) throw new Error('insert returned no row')
  return toReopenRequest(row)
}

export async function findReopenRequest (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<ReopenRequest | undefined> {
  const q = db.select().from(reopenRequests).where(eq(reopenRequests.id, id))
  const rows = opts.forUpdate === true ? await q.for('update') : await q
  return rows[0] === undefined ? undefined : toReopenRequest(rows[0])
}

export async function findPendingReopenRequest (db: DbOrTx, ticketId: string): Promise<ReopenRequest | undefined> {
  const rows = await db.select().from(reopenRequests).where(and(eq(reopenRequests.ticketId, ticketId), eq(reopenRequests.status, 'pending')))
  return rows[0] === undefined ? undefined : toReopenRequest(rows[0])
}

/** records the decision when the stored version is still `fromVersion`; undefined when someone else won */
export async function saveDecision (db: DbOrTx, r: ReopenRequest, fromVersion: number, now: Date): Promise<ReopenRequest | undefined> {
  const [row] = await db.update(reopenRequests).set({
    status: r.status,
    decidedAt: r.decidedAt,
    decidedById: r.decidedBy?.id ?? null,
    decidedByRole: r.decidedBy?.role ?? null,
    decisionNote: r.decisionNote,
    version: sql`${reopenRequests.version} + 1`,
    updatedAt: now
  }).where(and(eq(reopenRequests.id, r.id), eq(reopenRequests.version, fromVersion))).returning()
  return row === undefined ? undefined : toReopenRequest(row)
}

export interface ReopenRequestFilters {
  ticketId?: string
  organizationId?: string
  status?: ReopenStatus
}

/** oldest first (a queue is worked first-come, first-served): (created_at, id) ascending */
export async function listReopenRequests (db: DbOrTx, filters: ReopenRequestFilters, opts: { limit: number; after?: { createdAt: Date; id: string } }): Promise<ReopenRequest[]> {
  const after = opts.after
  const rows = await db.select().from(reopenRequests)
    .where(and(
      filters.ticketId === undefined ? undefined : eq(reopenRequests.ticketId, filters.ticketId),
      filters.organizationId === undefined ? undefined : eq(reopenRequests.organizationId, filters.organizationId),
      filters.status === undefined ? undefined : eq(reopenRequests.status, filters.status),
      after === undefined ? undefined : sql`(${reopenRequests.createdAt}, ${reopenRequests.id}) > (${iso(after.createdAt)}::timestamptz, ${after.id}::uuid)`
    ))
    .orderBy(asc(reopenRequests.createdAt), asc(reopenRequests.id))
    .limit(opts.limit)
  return rows.map(toReopenRequest)
}
