import { and, asc, desc, eq, gt, inArray, lt, lte, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../client.js'
import { events } from '../schema/events.js'
import { webhookAttempts, webhookDeliveries, webhookDispatcher, webhookEndpoints } from '../schema/webhooks.js'
import { FEED_HORIZON, type FeedPosition } from './change-feed.js'

export type EndpointRow = typeof webhookEndpoints.$inferSelect
export type DeliveryRow = typeof webhookDeliveries.$inferSelect
export type AttemptRow = typeof webhookAttempts.$inferSelect
export type NewDelivery = Pick<DeliveryRow, 'endpointId' | 'eventId' | 'eventType' | 'messageId' | 'payload' | 'nextAttemptAt' | 'createdAt' | 'updatedAt'>

export async function findEndpoint (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<EndpointRow | undefined> {
  const q = db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id))
  const rows = opts.forUpdate === true ? await q.for('update') : await q
  return rows[0]
}

export async function findEndpoints (db: DbOrTx, ids: string[]): Promise<EndpointRow[]> {
  if (ids.length === 0) return []
  return await db.select().from(webhookEndpoints).where(inArray(webhookEndpoints.id, ids))
}

export async function insertEndpoint (db: DbOrTx, e: Pick<EndpointRow, 'organizationId' | 'url' | 'description' | 'eventTypes' | 'secret'>, now: Date): Promise<EndpointRow> {
  const [row] = await db.insert(webhookEndpoints).values({ ...e, createdAt: now, updatedAt: now }).returning()
  if (row === undefined) throw new Error('insert returned no row')
  return row
}

export async function updateEndpoint (db: DbOrTx, id: string, fromVersion: number, set: Partial<Omit<EndpointRow, 'id' | 'version' | 'createdAt'>>, now: Date): Promise<EndpointRow | undefined> {
  const [row] = await db.update(webhookEndpoints).set({ ...set, version: sql`${webhookEndpoints.version} + 1`, updatedAt: now })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.version, fromVersion))).returning()
  return row
}

export async function deleteEndpoint (db: DbOrTx, id: string): Promise<void> {
  await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id))
}

export async function listEndpoints (db: DbOrTx, opts: { limit: number; after?: { createdAt: Date; id: string }; organizationId?: string }): Promise<EndpointRow[]> {
  const conditions = []
  if (opts.organizationId !== undefined) conditions.push(eq(webhookEndpoints.organizationId, opts.organizationId))
  if (opts.after !== undefined) {
    conditions.push(or(gt(webhookEndpoints.createdAt, opts.after.createdAt), and(eq(webhookEndpoints.createdAt, opts.after.createdAt), gt(webhookEndpoints.id, opts.after.id))))
  }
  return await db.select().from(webhookEndpoints).where(and(...conditions))
    .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id)).limit(opts.limit)
}

export const enabledEndpoints = async (db: DbOrTx): Promise<EndpointRow[]> =>
  await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true))

export async function insertDeliveries (db: DbOrTx, rows: NewDelivery[]): Promise<DeliveryRow[]> {
  const out: DeliveryRow[] = []
  for (let i = 0; i < rows.length; i += 500) {
    out.push(...await db.insert(webhookDeliveries).values(rows.slice(i, i + 500)).returning())
  }
  return out
}

export async function findDelivery (db: DbOrTx, id: string): Promise<DeliveryRow | undefined> {
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id))
  return row
}

export async function listDeliveries (db: DbOrTx, opts: { endpointId: string; status?: DeliveryRow['status']; limit: number; after?: { createdAt: Date; id: string } }): Promise<DeliveryRow[]> {
  const conditions = [eq(webhookDeliveries.endpointId, opts.endpointId)]
  if (opts.status !== undefined) conditions.push(eq(webhookDeliveries.status, opts.status))
  if (opts.after !== undefined) {
    conditions.push(or(lt(webhookDeliveries.createdAt, opts.after.createdAt), and(eq(webhookDeliveries.createdAt, opts.after.createdAt), lt(webhookDeliveries.id, opts.after.id)))!)
  }
  // newest first: what an operator looks at
  return await db.select().from(webhookDeliveries).where(and(...conditions))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id)).limit(opts.limit)
}

export async function attemptsOf (db: DbOrTx, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return []
  return await db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, deliveryIds)).orderBy(asc(webhookAttempts.id))
}

/** manual retry: a new schedule, due now (the caller queues its job in the same transaction) */
export async function rescheduleDelivery (db: DbOrTx, id: string, now: Date): Promise<DeliveryRow | undefined> {
  const [row] = await db.update(webhookDeliveries).set({ status: 'pending', scheduleAttempts: 0, nextAttemptAt: now, updatedAt: now })
    .where(eq(webhookDeliveries.id, id)).returning()
  return row
}

/**
 * Takes up to `limit` due deliveries for this worker: each gets a lease (`locked_until`, database time) and this
 * worker's token. SKIP LOCKED lets replicas claim side by side; a row another worker is claiming is skipped, and a
 * row whose lease is still running is not due. Due-ness uses the application clock (`now`), leases the database's
 * real clock, so a test that moves its clock never breaks a lease.
 */
export async function claimDue (db: DbOrTx, opts: { now: Date; limit: number; token: string; leaseSeconds: number; deliveryIds?: string[] }): Promise<DeliveryRow[]> {
  const d = webhookDeliveries
  if (opts.deliveryIds !== undefined && opts.deliveryIds.length === 0) return []
  const due = db.select({ id: d.id }).from(d)
    .where(and(opts.deliveryIds === undefined ? undefined : inArray(d.id, opts.deliveryIds), eq(d.status, 'pending'), lte(d.nextAttemptAt, opts.now), sql`(${d.lockedUntil} is null or ${d.lockedUntil} < clock_timestamp())`))
    .orderBy(asc(d.nextAttemptAt)).limit(opts.limit).for('update', { skipLocked: true })
  return await db.update(d).set({
    lockedUntil: sql`clock_timestamp() + make_interval(secs => ${opts.leaseSeconds})`,
    lockToken: opts.token
  }).where(inArray(d.id, due)).returning()
}

/**
 * Of these deliveries, the ones due at `now` but not claimable by this worker: leased by another one (alive, or dead
 * mid-delivery) or being claimed right now. With how long their lease still runs (0 when not leased yet).
 */
export async function leasedElsewhere (db: DbOrTx, ids: string[], now: Date): Promise<Array<{ id: string; remainingSeconds: number }>> {
  if (ids.length === 0) return []
  const d = webhookDeliveries
  const rows = await db.select({ id: d.id, remaining: sql<string>`greatest(0, extract(epoch from coalesce(${d.lockedUntil}, clock_timestamp()) - clock_timestamp()))` })
    .from(d).where(and(inArray(d.id, ids), eq(d.status, 'pending'), lte(d.nextAttemptAt, now)))
  return rows.map((r) => ({ id: r.id, remainingSeconds: Number(r.remaining) }))
}

/** records the outcome of an attempt if this worker still holds the lease; false when it lost it */
export async function completeAttempt (db: DbOrTx, deliveryId: string, token: string, set: Pick<DeliveryRow, 'status' | 'scheduleAttempts' | 'attemptCount' | 'nextAttemptAt'>, attempt: Omit<AttemptRow, 'id' | 'deliveryId'>, now: Date): Promise<boolean> {
  const updated = await db.update(webhookDeliveries).set({ ...set, lockedUntil: null, lockToken: null, updatedAt: now })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.lockToken, token))).returning({ id: webhookDeliveries.id })
  if (updated.length === 0) return false
  await db.insert(webhookAttempts).values({ ...attempt, deliveryId })
  return true
}

/**
 * The common outcome in bulk: any attempt that succeeded while its endpoint was not failing. One
 * UPDATE for all of them (only the rows this worker still holds the lease of) and one INSERT of their attempts.
 * Returns the ids recorded.
 */
export async function completeSucceeded (db: DbOrTx, token: string, attempts: Array<Omit<AttemptRow, 'id'>>, now: Date): Promise<string[]> {
  if (attempts.length === 0) return []
  const d = webhookDeliveries
  const updated = await db.update(d).set({
    status: 'succeeded', scheduleAttempts: sql`${d.scheduleAttempts} + 1`, attemptCount: sql`${d.attemptCount} + 1`, nextAttemptAt: null, lockedUntil: null, lockToken: null, updatedAt: now
  }).where(and(inArray(d.id, attempts.map((a) => a.deliveryId)), eq(d.lockToken, token))).returning({ id: d.id })
  const held = new Set(updated.map((r) => r.id))
  const rows = attempts.filter((a) => held.has(a.deliveryId))
  if (rows.length > 0) await db.insert(webhookAttempts).values(rows)
  return [...held]
}

const DISPATCHER_LOCK = 0x77656268 // 'webh'

/** the dispatcher's transaction-scoped lock: one replica dispatches at a time, the others skip */
export async function tryDispatcherLock (db: DbOrTx): Promise<boolean> {
  const rows = await db.execute(sql`select pg_try_advisory_xact_lock(${DISPATCHER_LOCK}) as ok`)
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Array<{ ok: boolean }>
  return list[0]?.ok === true
}

/**
 * Creates the dispatcher's cursor at the head of the feed if it does not exist yet (when the first endpoint is
 * registered), so the dispatcher starts from there instead of the whole history.
 */
export async function ensureDispatcherCursor (db: DbOrTx, now: Date): Promise<void> {
  const [head] = await db.select({ txid: events.txid, id: events.id }).from(events)
    .where(sql`${events.txid} < ${FEED_HORIZON}`).orderBy(desc(events.txid), desc(events.id)).limit(1)
  await db.insert(webhookDispatcher).values({ id: 1, txid: head?.txid ?? '0', eventId: head?.id ?? 0, updatedAt: now }).onConflictDoNothing()
}

export async function dispatcherCursor (db: DbOrTx): Promise<FeedPosition | undefined> {
  const [row] = await db.select().from(webhookDispatcher).where(eq(webhookDispatcher.id, 1))
  return row === undefined ? undefined : { txid: row.txid, id: row.eventId }
}

export async function moveDispatcherCursor (db: DbOrTx, to: FeedPosition, now: Date): Promise<void> {
  await db.update(webhookDispatcher).set({ txid: to.txid, eventId: to.id, updatedAt: now }).where(eq(webhookDispatcher.id, 1))
}
