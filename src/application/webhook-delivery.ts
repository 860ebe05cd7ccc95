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
import { resolveTarget, WebhookSender, type SendResult, type Target, type WebhookNetwork } from './webhook-sender.js'
import type { WorkerHandle } from '../jobs/engine.js'

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
  const jobs: Array<{ data: DeliveryJob; options?: { startAfter: Date } }> = []
  for (let i = 0; i < saved.length; i += JOB_CHUNK) {
    const chunk = saved.slice(i, i + JOB_CHUNK)
    const due = Math.max(...chunk.map((d) => d.nextAttemptAt?.getTime() ?? 0))
    jobs.push({ data: { deliveryIds: chunk.map((d) => d.id) }, ...(due === 0 ? {} : { options: { startAfter: new Date(due) } }) })
  }
  // every job in one statement (one round trip per 500 events instead of one per 25 deliveries)
  await ctx.jobs.sendMany<DeliveryJob>(tx, DELIVERY_QUEUE, jobs)
  return saved
}

export async function queueJob (ctx: AppContext, tx: DbOrTx, deliveryIds: string[], startAfter: Date | undefined): Promise<void> {
  await ctx.jobs.send<DeliveryJob>(tx, DELIVERY_QUEUE, { deliveryIds }, startAfter === undefined ? undefined : { startAfter })
}

interface Attempt { delivery: repo.DeliveryRow; endpoint: repo.EndpointRow; attemptedAt: Date; result: SendResult }

export interface WebhookServiceOptions {
  network: WebhookNetwork
  /** deliveries sent at once by one poller of this replica (a fetched batch of jobs is sent in rounds of this size) */
  concurrency: number
  /** lease of a claimed delivery; longer than the attempt timeout so a delivery is never in flight twice (default 3 × the timeout) */
  leaseSeconds?: number
  /** how long a delivery job may run before pg-boss gives it to another replica (default 60 s; a killed replica's deliveries come back after this plus pg-boss's supervise interval) */
  jobExpireSeconds?: number
  /** pollers of the delivery queue in this replica (default 2: one slow batch never stalls the others) */
  pollers?: number
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
  private worker: WorkerHandle | undefined
  /** one keep-alive connection pool per process, SSRF-guarded at every connection */
  readonly sender: WebhookSender

  constructor (private readonly ctx: AppContext, readonly options: WebhookServiceOptions) {
    this.sender = new WebhookSender(options.network)
  }

  private get leaseSeconds (): number {
    return this.options.leaseSeconds ?? Math.ceil((this.network.timeoutMs ?? DELIVERY_TIMEOUT_MS) / 1000) * 3
  }

  get network (): WebhookNetwork { return this.options.network }

  /** one dispatcher step: up to 500 feed events into deliveries; returns how many events were read (0: at the head or another replica holds the lock) */
  async dispatchOnce (): Promise<number> {
    const now = this.ctx.now()
    return await this.ctx.transaction(async (tx) => {
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
    let read = 0
    for (;;) {
      const n = await this.dispatchOnce()
      read += n
      if (n !== DISPATCH_BATCH) break
    }
    // this replica's pollers fetch the new jobs now, not at their next poll (other replicas still poll)
    if (read > 0) this.worker?.wake()
  }

  /** declares the webhook-delivery queue and this replica's worker on the durable job engine (docs/jobs.md) */
  registerJobs (): void {
    this.ctx.jobs.defineQueue({ name: DELIVERY_QUEUE, retryLimit: 5, retryDelaySeconds: 5, retryBackoff: true, expireInSeconds: this.options.jobExpireSeconds ?? 60 })
    // a fetched batch of jobs is one deliverMany: one lease statement, one endpoint read and one write for all successes
    // jobs per fetch: up to 4 rounds of `concurrency` deliveries (new deliveries come 25 to a job, retries 1), so a
    // fetched batch takes at most ~4 attempt timeouts, inside the default 60 s expiry (a shorter expiry only makes
    // pg-boss hand the jobs to another worker, which finds the deliveries leased and follows up: no double send)
    this.worker = this.ctx.jobs.workBatch<DeliveryJob>(DELIVERY_QUEUE, async (jobs) => { await this.deliverMany(jobs.flatMap((j) => j.data.deliveryIds)) }, {
      batchSize: Math.max(1, Math.floor(4 * this.options.concurrency / JOB_CHUNK)),
      concurrency: Math.max(1, this.options.pollers ?? 2)
    })
  }

  /**
   * The jobs' handler: takes the lease of every given delivery that is due and not in flight, in one statement (so a
   * delivery is never sent twice at once, even if its job runs twice), sends them all at once through the shared
   * connection pool, and records the attempts (successes in one transaction; anything else — a retry to schedule, an
   * endpoint to mark failing or disable — one transaction per delivery, with the job of its next attempt). A delivery
   * that is due but leased by another worker gets a follow-up job at the end of that lease: if that worker died
   * mid-delivery, the follow-up sends it (at least once, never dropped); if not, the follow-up finds nothing to do.
   */
  async deliverMany (ids: string[]): Promise<number> {
    const unique = [...new Set(ids)]
    const round = Math.max(1, this.options.concurrency)
    let sent = 0
    // in rounds of `concurrency`, each under its own lease: a round lasts at most one attempt timeout
    for (let i = 0; i < unique.length; i += round) sent += await this.deliverRound(unique.slice(i, i + round))
    return sent
  }

  private async deliverRound (ids: string[]): Promise<number> {
    const db = this.ctx.database.db
    const token = randomUUID()
    const claimed = await repo.claimDue(db, { now: this.ctx.now(), limit: ids.length, token, leaseSeconds: this.leaseSeconds, deliveryIds: ids })
    if (claimed.length < ids.length) {
      const got = new Set(claimed.map((d) => d.id))
      await this.followUpLeased(ids.filter((id) => !got.has(id)))
    }
    if (claimed.length === 0) return 0
    const endpoints = new Map((await repo.findEndpoints(db, [...new Set(claimed.map((d) => d.endpointId))])).map((e) => [e.id, e]))
    // the SSRF check of a URL is shared by the deliveries of this round (sent at the same moment): one DNS lookup each
    const targets = new Map<string, Promise<Target>>()
    const check = async (raw: string): Promise<Target> => {
      let target = targets.get(raw)
      if (target === undefined) { target = resolveTarget(this.network, raw); targets.set(raw, target) }
      return await target
    }
    const attempts = await Promise.all(claimed.map(async (d) => await this.send(d, endpoints.get(d.endpointId), check)))
    const simple: Attempt[] = []
    const other: Attempt[] = []
    for (const a of attempts) {
      if (a === undefined) continue // the endpoint was deleted: its deliveries went with it
      if (a.endpoint.enabled && a.endpoint.failingSince === null && classifyStatus(a.result.statusCode) === 'success') simple.push(a)
      else other.push(a)
    }
    if (simple.length > 0) {
      const finishedAt = this.ctx.now()
      await db.transaction(async (tx) => {
        await repo.completeSucceeded(tx, token, simple.map((a) => ({ deliveryId: a.delivery.id, ...this.attemptRow(a) })), finishedAt)
      })
    }
    for (const a of other) await this.record(a, token)
    return claimed.length
  }

  /** one delivery, now if it is due (tests and the single-delivery paths) */
  async deliverOne (deliveryId: string): Promise<boolean> {
    return await this.deliverMany([deliveryId]) > 0
  }

  private async followUpLeased (ids: string[]): Promise<void> {
    const leased = await repo.leasedElsewhere(this.ctx.database.db, ids, this.ctx.now())
    if (leased.length === 0) return
    const wait = Math.max(...leased.map((l) => l.remainingSeconds))
    await queueJob(this.ctx, this.ctx.database.db, leased.map((l) => l.id), new Date(this.ctx.now().getTime() + Math.ceil(wait * 1000) + 1000))
  }

  /** test hook: dispatch the feed, then run every job due at the application clock's now (manual job engine) */
  async runDueNow (): Promise<void> {
    await this.dispatchAll()
    while (await this.ctx.jobs.runDue() > 0);
  }

  private attemptRow (a: Attempt): Omit<repo.AttemptRow, 'id' | 'deliveryId'> {
    return { attemptedAt: a.attemptedAt, statusCode: a.result.statusCode, durationMs: a.result.durationMs, error: a.result.error, responseExcerpt: a.result.responseExcerpt }
  }

  private async send (d: repo.DeliveryRow, endpoint: repo.EndpointRow | undefined, check: (url: string) => Promise<Target>): Promise<Attempt | undefined> {
    if (endpoint === undefined) return undefined
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
        // checked again before every attempt (DNS may have changed: refused without connecting), and every new
        // connection of the shared pool checks the address it really connects to
        const target = await check(endpoint.url)
        result = await this.sender.send(target, headers, body)
      } catch (error) {
        result = { statusCode: null, durationMs: 0, error: (error as Error).message.slice(0, 500), responseExcerpt: null }
      }
    }
    return { delivery: d, endpoint, attemptedAt, result }
  }

  private async record (a: Attempt, token: string): Promise<void> {
    const { delivery: d, endpoint, attemptedAt, result } = a
    const outcome = endpoint.enabled ? classifyStatus(result.statusCode) : 'failure'
    const scheduleAttempts = d.scheduleAttempts + 1
    const finishedAt = this.ctx.now()
    const next = outcome === 'success' || !endpoint.enabled || outcome === 'gone' ? null : nextAttemptAt(scheduleAttempts, finishedAt, (this.options.random ?? Math.random)(), this.options.delayScale)
    const status = outcome === 'success' ? 'succeeded' : next === null || scheduleAttempts >= MAX_ATTEMPTS ? 'failed' : 'pending'
    await this.ctx.transaction(async (tx) => {
      const held = await repo.completeAttempt(tx, d.id, token, {
        status, scheduleAttempts, attemptCount: d.attemptCount + 1, nextAttemptAt: status === 'pending' ? next : null
      }, this.attemptRow(a), finishedAt)
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

  /** closes the connection pool (attempts still running finish first; later ones fail and are retried) */
  async close (): Promise<void> {
    await this.sender.close()
  }
}
