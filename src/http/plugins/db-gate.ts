import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../../domain/errors.js'
import type { DatabaseAvailability } from '../../application/context.js'

/**
 * Admission gate in front of database work (issue 7): at most `permits` requests run their handlers at once and the
 * rest wait in a FIFO queue inside the process; beyond that the service sheds load. A request that finds `maxQueue`
 * requests already waiting, or waits longer than `maxWaitMs`, is refused with 503 `overloaded` and `Retry-After: 1`
 * — an early, cheap refusal instead of every caller timing out while latency grows without bound.
 *
 * Sizing (src/app.ts): three times the connection pool. More requests in flight than connections is deliberate:
 * postgres.js then pipelines several queries per connection (one write, one read for many queries), which costs about
 * a fifth less CPU per request than one query per connection at a time; its queue bookkeeping, which used to make
 * that pattern slow down over time, is patched (src/db/postgres-driver.ts). The bound keeps the pipelines short
 * (a few queries each), so a slow query delays few others, and caps the memory held by waiting requests.
 *
 * A permit is taken in preValidation (after authentication, before the idempotency claim and the handler) and
 * given back once, when the response has been sent or the connection has closed (the handler may still be finishing
 * then, so a few aborted requests can briefly exceed the bound), or at once when the client left while waiting.
 */
export interface DbGateOptions {
  permits: number
  maxQueue?: number
  maxWaitMs?: number
  /** routes that never touch the database pass without a permit */
  bypass?: (request: FastifyRequest) => boolean
}

interface Waiter { grant: () => void; timer: NodeJS.Timeout | undefined }

export class Gate {
  private active = 0
  private readonly waiting: Waiter[] = []
  private head = 0
  constructor (readonly permits: number, readonly maxQueue: number, readonly maxWaitMs: number) {}

  get inUse (): number { return this.active }
  get queued (): number { return this.waiting.length - this.head }

  /** a release function when a permit is free right now (and nobody is waiting), else undefined */
  tryAcquire (): (() => void) | undefined {
    if (this.active < this.permits && this.queued === 0) {
      this.active++
      return this.releaser()
    }
    return undefined
  }

  /** resolves with a release function, or rejects with 503 overloaded */
  async acquire (): Promise<() => void> {
    const now = this.tryAcquire()
    if (now !== undefined) return now
    if (this.queued >= this.maxQueue) throw overloaded('too many requests are waiting for the database')
    return await new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => { if (waiter.timer !== undefined) clearTimeout(waiter.timer); resolve(this.releaser()) },
        timer: undefined
      }
      waiter.timer = setTimeout(() => {
        const i = this.waiting.indexOf(waiter, this.head)
        if (i >= 0) this.waiting.splice(i, 1)
        reject(overloaded(`no database capacity within ${this.maxWaitMs} ms`))
      }, this.maxWaitMs)
      this.waiting.push(waiter)
    })
  }

  private releaser (): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting[this.head]
      if (next === undefined) {
        this.active--
        return
      }
      // hand the permit straight to the next waiter (active stays the same)
      this.waiting[this.head] = undefined as unknown as Waiter
      this.head++
      if (this.head === this.waiting.length || this.head > 1024) {
        this.waiting.splice(0, this.head)
        this.head = 0
      }
      next.grant()
    }
  }
}

const overloaded = (detail: string): DomainError =>
  new DomainError('overloaded', `The service is at capacity (${detail}); retry shortly`, { retryAfterSeconds: 1 })

declare module 'fastify' {
  interface FastifyRequest {
    dbPermitRelease: (() => void) | null
  }
}

export function registerDbGate (app: FastifyInstance, options: DbGateOptions): Gate {
  const gate = new Gate(options.permits, options.maxQueue ?? options.permits * 10, options.maxWaitMs ?? 5_000)
  const bypass = options.bypass ?? ((request: FastifyRequest) => request.routeOptions.config.public === true || request.is404)
  app.decorateRequest('dbPermitRelease', null)
  const hold = (request: FastifyRequest, reply: FastifyReply, release: () => void): void => {
    request.dbPermitRelease = release
    // 'close' comes once the response is finished or the connection is gone, whichever is first; a client that left
    // while this request waited for its permit is already gone: give the permit straight back
    reply.raw.once('close', release)
    if (reply.raw.closed || request.raw.destroyed) release()
  }
  // callback-style hook: the common case (a permit is free) costs no promise
  app.addHook('preValidation', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (bypass(request)) { done(); return }
    const release = gate.tryAcquire()
    if (release !== undefined) {
      hold(request, reply, release)
      done()
      return
    }
    gate.acquire().then((r) => {
      hold(request, reply, r)
      done()
    }, (err: Error) => {
      reply.header('retry-after', '1')
      done(err)
    })
  })
  // light-my-request (tests) and every normal completion also pass here; a release counts once
  app.addHook('onResponse', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    request.dbPermitRelease?.()
    done()
  })
  return gate
}

/**
 * Fail fast while the database is unavailable (issue 11): a request that needs it (not public, not a 404) is refused
 * before validation and its handler with 503 `database-unavailable` and Retry-After, instead of waiting for the
 * outage to end. The state comes from the database's availability monitor (src/db/client.ts).
 */
export function registerDbAvailability (app: FastifyInstance, availability: DatabaseAvailability, bypass: (request: FastifyRequest) => boolean = (request) => request.routeOptions.config.public === true || request.is404): void {
  app.addHook('preValidation', (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    if (availability.isUp() || bypass(request)) { done(); return }
    done(new DomainError('database-unavailable', 'The database cannot be reached right now; retry shortly', { retryAfterSeconds: availability.retryAfterSeconds }))
  })
}
