import { actorOf, isAdmin, requireRole, type Principal } from '../domain/access.js'
import { DomainError, notFound } from '../domain/errors.js'
import { receives, TEST_EVENT_TYPE } from '../domain/webhooks/endpoint.js'
import { generateSecret, messageIdFor, ROTATION_OVERLAP_MS } from '../domain/webhooks/signing.js'
import { recordEvent } from '../db/events.js'
import { readFeed, type FeedPosition } from '../db/repositories/change-feed.js'
import * as repo from '../db/repositories/webhooks.js'

export type { AttemptRow, DeliveryRow } from '../db/repositories/webhooks.js'
import type { DbOrTx } from '../db/client.js'
import { presentChangeEvent } from './change-feed.js'
import type { AppContext } from './context.js'
import { resolveTarget, type WebhookNetwork } from './webhook-sender.js'
import { queueDeliveries, queueJob } from './webhook-delivery.js'
import { events } from '../db/schema/events.js'
import { desc, eq } from 'drizzle-orm'
import { checkVersion, found, requireOrganization, savedOrStale } from './guards.js'
import { pageOf, type Page } from './page.js'

export type Endpoint = repo.EndpointRow

export interface EndpointInput {
  url: string
  eventTypes?: string[] | null
  description?: string | null
  organizationId?: string
}

/**
 * Only admins manage webhooks (customers and agents: 403). An admin token scoped to one organization (org_id) manages
 * only that organization's endpoints; another organization's endpoint, and any global one, is 404 to it.
 */
function requireWebhookAdmin (p: Principal): void {
  requireRole(p, 'admin')
}

function assertEndpointAccess (p: Principal, e: Endpoint | undefined): asserts e is Endpoint {
  if (e === undefined || (p.orgId !== null && e.organizationId !== p.orgId)) throw notFound('Webhook endpoint')
}

const snapshot = (e: Endpoint) => ({ url: e.url, enabled: e.enabled, eventTypes: e.eventTypes, description: e.description, disabledReason: e.disabledReason })

async function endpointEvent (tx: DbOrTx, type: string, e: Endpoint, actor: { id: string; role: 'customer' | 'agent' | 'admin' | 'system' }, now: Date, data: Record<string, unknown>): Promise<void> {
  await recordEvent(tx, {
    type, organizationId: e.organizationId, resourceType: 'webhook_endpoint', resourceId: e.id, resourceVersion: e.version,
    actor, occurredAt: now, data
  })
}

export async function createEndpoint (ctx: AppContext, net: WebhookNetwork, p: Principal, input: EndpointInput): Promise<{ endpoint: Endpoint; secret: string }> {
  requireWebhookAdmin(p)
  if (p.orgId !== null && input.organizationId !== undefined && input.organizationId !== p.orgId) throw notFound('Organization')
  const organizationId = p.orgId ?? input.organizationId ?? null
  await resolveTarget(net, input.url)
  const now = ctx.now()
  const secret = generateSecret()
  const endpoint = await ctx.transaction(async (tx) => {
    if (organizationId !== null) await requireOrganization(tx, organizationId)
    await repo.ensureDispatcherCursor(tx, now)
    const e = await repo.insertEndpoint(tx, { organizationId, url: input.url, description: input.description ?? null, eventTypes: input.eventTypes ?? null, secret }, now)
    await endpointEvent(tx, 'webhook_endpoint.created', e, actorOf(p), now, { after: snapshot(e) })
    return e
  })
  return { endpoint, secret }
}

export async function getEndpoint (ctx: AppContext, p: Principal, id: string): Promise<Endpoint> {
  requireWebhookAdmin(p)
  const e = await repo.findEndpoint(ctx.database.db, id)
  assertEndpointAccess(p, e)
  return e
}

export async function listEndpoints (ctx: AppContext, p: Principal, opts: { limit: number; after?: { createdAt: Date; id: string } }): Promise<Page<Endpoint>> {
  requireWebhookAdmin(p)
  const rows = await repo.listEndpoints(ctx.database.db, { limit: opts.limit + 1, after: opts.after, organizationId: p.orgId ?? undefined })
  return pageOf(rows, opts.limit)
}

export interface EndpointChanges { url?: string; eventTypes?: string[] | null; description?: string | null; enabled?: boolean }

async function changeEndpoint (ctx: AppContext, p: Principal, id: string, expectedVersion: number | undefined, decide: (current: Endpoint, now: Date) => Partial<Endpoint>): Promise<Endpoint> {
  requireWebhookAdmin(p)
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const current = await repo.findEndpoint(tx, id, { forUpdate: true })
    assertEndpointAccess(p, current)
    checkVersion('webhook endpoint', expectedVersion, current.version, 'short')
    const saved = savedOrStale(await repo.updateEndpoint(tx, id, current.version, decide(current, now), now), 'webhook endpoint', 'short')
    await endpointEvent(tx, 'webhook_endpoint.updated', saved, actorOf(p), now, { before: snapshot(current), after: snapshot(saved) })
    return saved
  })
}

export async function updateEndpoint (ctx: AppContext, net: WebhookNetwork, p: Principal, id: string, input: EndpointChanges, expectedVersion: number | undefined): Promise<Endpoint> {
  requireWebhookAdmin(p)
  if (input.url !== undefined) await resolveTarget(net, input.url)
  return await changeEndpoint(ctx, p, id, expectedVersion, (current) => ({
    url: input.url ?? current.url,
    eventTypes: input.eventTypes === undefined ? current.eventTypes : input.eventTypes,
    description: input.description === undefined ? current.description : input.description,
    ...(input.enabled === undefined ? {} : { enabled: input.enabled, disabledReason: null }),
    // re-enabling starts a new failure count
    ...(input.enabled === true ? { failingSince: null } : {})
  }))
}

/** a new secret; the old one keeps signing (as a second signature) for 24 hours */
export async function rotateSecret (ctx: AppContext, p: Principal, id: string, expectedVersion: number | undefined): Promise<{ endpoint: Endpoint; secret: string }> {
  const secret = generateSecret()
  const endpoint = await changeEndpoint(ctx, p, id, expectedVersion, (current, now) => ({
    secret, previousSecret: current.secret, previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS)
  }))
  return { endpoint, secret }
}

export async function deleteEndpoint (ctx: AppContext, p: Principal, id: string, expectedVersion: number | undefined): Promise<void> {
  requireWebhookAdmin(p)
  const now = ctx.now()
  await ctx.transaction(async (tx) => {
    const current = await repo.findEndpoint(tx, id, { forUpdate: true })
    assertEndpointAccess(p, current)
    checkVersion('webhook endpoint', expectedVersion, current.version, 'short')
    await repo.deleteEndpoint(tx, id)
    await endpointEvent(tx, 'webhook_endpoint.deleted', current, actorOf(p), now, { before: snapshot(current) })
  })
}

/** records a webhook.test event (audit) and queues it for this endpoint only */
export async function sendTestEvent (ctx: AppContext, p: Principal, id: string): Promise<repo.DeliveryRow> {
  requireWebhookAdmin(p)
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const e = await repo.findEndpoint(tx, id)
    assertEndpointAccess(p, e)
    await recordEvent(tx, {
      type: TEST_EVENT_TYPE, organizationId: e.organizationId, resourceType: 'webhook_endpoint', resourceId: e.id, resourceVersion: e.version,
      visibility: 'internal', actor: actorOf(p), occurredAt: now, data: { message: 'Test event sent on request' }
    })
    const [row] = await tx.select().from(events).where(eq(events.resourceId, e.id)).orderBy(desc(events.id)).limit(1)
    if (row === undefined) throw new Error('test event not found')
    const [delivery] = await queueDeliveries(ctx, tx, [{
      endpointId: e.id, eventId: row.id, eventType: row.type, messageId: messageIdFor(row.id), payload: presentChangeEvent(row), nextAttemptAt: now, createdAt: now, updatedAt: now
    }])
    return delivery as repo.DeliveryRow
  })
}

export async function listDeliveries (ctx: AppContext, p: Principal, endpointId: string, opts: { status?: repo.DeliveryRow['status']; limit: number; after?: { createdAt: Date; id: string } }): Promise<{ items: Array<repo.DeliveryRow & { attempts: repo.AttemptRow[] }>; hasMore: boolean }> {
  await getEndpoint(ctx, p, endpointId)
  const rows = await repo.listDeliveries(ctx.database.db, { endpointId, status: opts.status, limit: opts.limit + 1, after: opts.after })
  const items = rows.slice(0, opts.limit)
  const attempts = await repo.attemptsOf(ctx.database.db, items.map((d) => d.id))
  return { items: items.map((d) => ({ ...d, attempts: attempts.filter((a) => a.deliveryId === d.id) })), hasMore: rows.length > opts.limit }
}

export async function retryDelivery (ctx: AppContext, p: Principal, deliveryId: string): Promise<repo.DeliveryRow> {
  requireWebhookAdmin(p)
  const d = found(await repo.findDelivery(ctx.database.db, deliveryId), 'Webhook delivery')
  const e = await repo.findEndpoint(ctx.database.db, d.endpointId)
  if (e === undefined || (p.orgId !== null && e.organizationId !== p.orgId)) throw notFound('Webhook delivery')
  if (d.status === 'pending') return d
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const saved = found(await repo.rescheduleDelivery(tx, deliveryId, now), 'Webhook delivery')
    await queueJob(ctx, tx, [deliveryId], now)
    return saved
  })
}

export const REPLAY_MAX = 10_000

/**
 * Queues again every event after a feed position that this endpoint receives (same webhook-id as the first time, so
 * receivers dedupe), up to the feed's safe horizon and at most REPLAY_MAX per call; `last` is where to continue.
 */
export async function replay (ctx: AppContext, p: Principal, endpointId: string, after: FeedPosition): Promise<{ queued: number; last: FeedPosition; hasMore: boolean }> {
  const e = await getEndpoint(ctx, p, endpointId)
  if (!isAdmin(p)) throw new DomainError('forbidden')
  const now = ctx.now()
  let position = after
  let queued = 0
  let hasMore = true
  while (hasMore && queued < REPLAY_MAX) {
    const rows = await readFeed(ctx.database.db, {
      after: position, limit: 500, organizationId: e.organizationId ?? undefined, includeInternal: e.organizationId === null, types: e.eventTypes ?? undefined
    })
    hasMore = rows.length === 500
    const last = rows.at(-1)
    if (last === undefined) break
    position = { txid: last.txid, id: last.id }
    const matching = rows.filter((r) => receives({ ...e, enabled: true }, r))
    await ctx.transaction(async (tx) => {
      await queueDeliveries(ctx, tx, matching.map((r) => ({
        endpointId: e.id, eventId: r.id, eventType: r.type, messageId: messageIdFor(r.id), payload: presentChangeEvent(r), nextAttemptAt: now, createdAt: now, updatedAt: now
      })))
    })
    queued += matching.length
  }
  return { queued, last: position, hasMore }
}
