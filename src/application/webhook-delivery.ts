import { randomUUID } from 'node:crypto'
/** the logger the delivery service writes to (pino's interface, without depending on the HTTP layer) */
export interface DeliveryLog {
  warn: (obj: object, msg?: string) => void
  error: (obj: object, msg?: string) => void
  info: (obj: object, msg?: string) => void
}

import { receives } from '../domain/webhooks/endpoint.js'
import { classifyStatus, failingTooLong, MAX_ATTEMPTS, nextAttemptAt, DELIVERY_TIMEOUT_MS } from '../domain/webhooks/schedule.js'
import { activeSecrets, messageIdFor, signatureHeader } from '../domain/webhooks/signing.js'
import { recordEvent } from '../db/events.js'
import { readFeed } from '../db/repositories/change-feed.js'
import * as repo from '../db/repositories/webhooks.js'
import { presentChangeEvent } from './change-feed.js'
import type { AppContext } from './context.js'
import type { DbOrTx } from '../db/client.js'
import { resolveTarget, send, type SendResult, type WebhookNetwork } from './webhook-sender.js'

export const USER_AGENT = 'SupportDesk-Webhooks/1.0 (+https://support-desk.dev/docs/webhooks)'
const DISPATCH_BATCH = 500
const SYSTEM = { id: 'webhooks', role: 'system' as const }
export const DELIVERY_QUEUE = 'webhook-delivery'
/** deliveries one job sends (concurrently, each under its own lease) */
export interface DeliveryJob { deliveryIds: string[] }
const JOB_CHUNK = 25

/**
 * inserts deliveries and queues their jobs, in the caller's transaction (both or neither). New deliveries share one job
 * per 25 (one job insert per delivery made the dispatcher the bottleneck: ~45 deliveries/s); retries get one each.
 */
export async function queueDeliveries (ctx: AppContext, tx: DbOrTx, rows: repo.NewDelivery[]): Promise<repo.DeliveryRow[]> {
  const saved = await repo.insertDeliveries(tx, rows)
  for (let i = 0; i < saved.length; i += JOB_CHUNK) {
    const chunk = saved.slice(i, i + JOB_CHUNK)
    const due = Math.max(...chunk.map((d) => d.nextAttemptAt?.getTime() ?? 0))
    await queueJob(ctx, tx, chunk.map((d) => d.id), due === 0 ? undefined : new Date(due))
  }
  return saved
}

export async function queueJob (ctx: AppContext, tx: DbOrTx, deliveryIds: string[], startAfter: Date | undefined): Promise<void> {
  await ctx.jobs.send<DeliveryJob>(tx, DELIVERY_QUEUE, { deliveryIds }, startAfter === undefined ? undefined : { startAfter })
}

export interface WebhookServiceOptions {
  network: WebhookNetwork
  /** deliveries sent at once by this replica */
  concurrency: number
  /** lease of a claimed delivery; longer than the attempt timeout so a delivery is never in flight twice */
  leaseSeconds?: number
  /** poll interval of the background loop */
  pollMs?: number
  random?: () => number
  /** multiplies the retry schedule (tests and benchmarks on the real clock compress it, e.g. 0.001); default 1 */
  delayScale?: number
  log?: DeliveryLog
}

/**
 * Webhook delivery (issue 13). Two steps, both safe with any number of replicas:
 * - the dispatcher reads the change feed in order from a persisted cursor (under a transaction-scoped advisory lock:
 *   one replica at a time) and, in the same transaction, creates one delivery per event and receiving endpoint and
 *   moves the cursor — so every event is turned into deliveries exactly once;
 * - workers in every replica claim due deliveries with a lease (SKIP LOCKED), send them, and record the attempt and
 *   the next one. A replica that dies mid-delivery leaves a lease that expires; another replica sends it again.
 */
export class WebhookService {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private stopped = true

  constructor (private readonly ctx: AppContext, readonly options: WebhookServiceOptions) {}

  get network (): WebhookNetwork { return this.options.network }

  /** one dispatcher step: up to 500 feed events into deliveries; returns how many events were read (0: at the head or another replica holds the lock) */
  async dispatchOnce (): Promise<number> {
    const now = this.ctx.now()
    return await this.ctx.database.db.transaction(async (tx) => {
      if (!await repo.tryDispatcherLock(tx)) return 0
      const cursor = await repo.dispatcherCursor(tx)
      if (cursor === undefined) return 0 // no endpoint was ever registered
      const rows = await readFeed(tx, { after: cursor, limit: DISPATCH_BATCH, includeInternal: true })
      const last = rows.at(-1)
      if (last === undefined) return 0
      const endpoints = await repo.enabledEndpoints(tx)
      const deliveries: repo.NewDelivery[] = []
      for (const event of rows) {
        let payload: Record<string, unknown> | undefined
        for (const e of endpoints) {
          if (!receives(e, event)) continue
          payload ??= presentChangeEvent(event)
          deliveries.push({ endpointId: e.id, eventId: event.id, eventType: event.type, messageId: messageIdFor(event.id), payload, nextAttemptAt: now, createdAt: now, updatedAt: now })
        }
      }
      await queueDeliveries(this.ctx, tx, deliveries)
      await repo.moveDispatcherCursor(tx, { txid: last.txid, id: last.id }, now)
      return rows.length
    })
  }

  /** dispatches until the head of the feed */
  async dispatchAll (): Promise<void> {
    while (await this.dispatchOnce() === DISPATCH_BATCH);
  }

  /** declares the webhook-delivery queue and this replica's worker on the durable job engine (docs/jobs.md) */
  registerJobs (): void {
    this.ctx.jobs.defineQueue({ name: DELIVERY_QUEUE, retryLimit: 5, retryDelaySeconds: 5, retryBackoff: true, expireInSeconds: 60 })
    this.ctx.jobs.work<DeliveryJob>(DELIVERY_QUEUE, async (job) => { await this.deliverMany(job.data.deliveryIds) }, { batchSize: Math.max(1, Math.ceil(this.options.concurrency / 4)) })
  }

  /** a job's deliveries, `concurrency` at a time */
  async deliverMany (ids: string[]): Promise<void> {
    let next = 0
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, ids.length) }, async () => {
      while (next < ids.length) await this.deliverOne(ids[next++] as string)
    }))
  }

  /**
   * The job's handler: takes the delivery's lease if it is due and not in flight (so a delivery is never sent twice at
   * once, even if its job runs twice), sends it, records the attempt and — in the same transaction — queues the job
   * of the next attempt. A job that finds nothing to do (sent already, not due, in flight elsewhere) just completes.
   */
  async deliverOne (deliveryId: string): Promise<boolean> {
    const token = randomUUID()
    const [d] = await repo.claimDue(this.ctx.database.db, {
      now: this.ctx.now(), limit: 1, token, deliveryId, leaseSeconds: this.options.leaseSeconds ?? Math.ceil((this.network.timeoutMs ?? DELIVERY_TIMEOUT_MS) / 1000) * 3
    })
    if (d === undefined) return false
    await this.attempt(d, token)
    return true
  }

  /** test hook: dispatch the feed, then run every job due at the application clock's now (manual job engine) */
  async runDueNow (): Promise<void> {
    await this.dispatchAll()
    while (await this.ctx.jobs.runDue() > 0);
  }

  private async attempt (d: repo.DeliveryRow, token: string): Promise<void> {
    const endpoint = await repo.findEndpoint(this.ctx.database.db, d.endpointId)
    if (endpoint === undefined) return // deleted: its deliveries went with it
    const attemptedAt = this.ctx.now()
    let result: SendResult
    if (!endpoint.enabled) {
      result = { statusCode: null, durationMs: 0, error: 'endpoint disabled', responseExcerpt: null }
    } else {
      const body = JSON.stringify(d.payload)
      // the transport timestamp is wall-clock time: receivers compare it with their own clocks (5 min tolerance)
      const timestamp = Math.floor(Date.now() / 1000)
      const headers = {
        'content-type': 'application/json',
        'user-agent': this.network.userAgent ?? USER_AGENT,
        'webhook-id': d.messageId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader(activeSecrets(endpoint, attemptedAt), d.messageId, timestamp, body)
      }
      try {
        // checked again before every attempt (DNS may have changed), and the connection goes to the checked address
        const target = await resolveTarget(this.network, endpoint.url)
        result = await send(this.network, target, headers, body)
      } catch (error) {
        result = { statusCode: null, durationMs: 0, error: (error as Error).message.slice(0, 500), responseExcerpt: null }
      }
    }
    const outcome = endpoint.enabled ? classifyStatus(result.statusCode) : 'failure'
    const scheduleAttempts = d.scheduleAttempts + 1
    const finishedAt = this.ctx.now()
    const next = outcome === 'success' || !endpoint.enabled || outcome === 'gone' ? null : nextAttemptAt(scheduleAttempts, finishedAt, (this.options.random ?? Math.random)(), this.options.delayScale)
    const status = outcome === 'success' ? 'succeeded' : next === null || scheduleAttempts >= MAX_ATTEMPTS ? 'failed' : 'pending'
    await this.ctx.database.db.transaction(async (tx) => {
      const held = await repo.completeAttempt(tx, d.id, token, {
        status, scheduleAttempts, attemptCount: d.attemptCount + 1, nextAttemptAt: status === 'pending' ? next : null
      }, { attemptedAt, statusCode: result.statusCode, durationMs: result.durationMs, error: result.error, responseExcerpt: result.responseExcerpt }, finishedAt)
      if (!held) return
      if (status === 'pending' && next !== null) await queueJob(this.ctx, tx, [d.id], next)
      if (!endpoint.enabled) return
      // the common case (a success while the endpoint was not failing) touches no endpoint row: no lock shared by all of its deliveries
      if (outcome === 'success' && endpoint.failingSince === null) return
      const current = await repo.findEndpoint(tx, endpoint.id, { forUpdate: true })
      if (current === undefined || !current.enabled) return
      if (outcome === 'success') {
        if (current.failingSince !== null) await repo.updateEndpoint(tx, current.id, current.version, { failingSince: null }, finishedAt)
        return
      }
      const failingSince = current.failingSince ?? attemptedAt
      const disable = outcome === 'gone' ? 'gone' : failingTooLong(failingSince, finishedAt) ? 'failing' : null
      if (disable === null) {
        if (current.failingSince === null) await repo.updateEndpoint(tx, current.id, current.version, { failingSince }, finishedAt)
        return
      }
      const saved = await repo.updateEndpoint(tx, current.id, current.version, { failingSince, enabled: false, disabledReason: disable }, finishedAt)
      if (saved === undefined) return
      await recordEvent(tx, {
        type: 'webhook_endpoint.disabled', organizationId: saved.organizationId, resourceType: 'webhook_endpoint', resourceId: saved.id,
        resourceVersion: saved.version, actor: SYSTEM, occurredAt: finishedAt,
        data: { reason: disable, detail: disable === 'gone' ? 'The endpoint answered 410 Gone' : 'The endpoint failed every attempt for 5 days', failingSince: failingSince.toISOString() }
      })
    })
  }

  /** background loop of this replica: the dispatcher (one replica at a time holds its lock; deliveries run as jobs) */
  start (): void {
    if (!this.stopped) return
    this.stopped = false
    const loop = (): void => {
      if (this.stopped) return
      this.running = this.dispatchAll().catch((error: unknown) => { this.options.log?.error({ err: error }, 'webhook dispatcher failed') }).finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.options.pollMs ?? 200)
      })
    }
    loop()
  }

  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.running
  }
}
