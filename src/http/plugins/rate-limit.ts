import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../../domain/errors.js'

/**
 * Per-caller rate limits (issue 6), shared infrastructure registered on the root instance right after auth.
 *
 * - Caller: the verified token's subject; the client IP for requests without one (public routes, and requests
 *   whose token was refused — those are counted against the IP when their 401 goes out).
 * - Fixed window: RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_SECONDS, the window starting at the caller's first
 *   request. RATE_LIMIT_MAX=0 disables limiting and the headers. A fixed window lets a caller send up to 2×max
 *   across a window boundary; the simplicity (one Map entry, O(1) per request) is the trade-off.
 * - In memory, per replica: with N replicas behind a load balancer a caller may get up to N×max per window.
 *   The upgrade path is a shared store (e.g. a PostgreSQL/Redis counter per caller and window) behind the same
 *   FixedWindowLimiter interface.
 * - Headers on every /v1 response (IETF draft httpapi-ratelimit-headers):
 *     RateLimit-Policy: <max>;w=<window>
 *     RateLimit: limit=<max>, remaining=<n>, reset=<seconds until the window ends>
 *   and over the limit a 429 `rate-limited` problem with Retry-After and retryAfterSeconds.
 * - Memory is bounded: at most maxKeys callers are tracked (the oldest window is evicted first) and a timer
 *   (unref'd) sweeps ended windows once per window length.
 * - The clock is the real one (not the app's business clock): limits are about the real request rate.
 */

export interface WindowState { limit: number; remaining: number; resetSeconds: number; allowed: boolean }

interface Bucket { start: number; count: number }

export class FixedWindowLimiter {
  /** insertion order = window start order (a renewed window is re-inserted), so the first entries end first */
  private readonly buckets = new Map<string, Bucket>()
  private readonly windowMs: number

  constructor (readonly max: number, readonly windowSeconds: number, private readonly maxKeys = 100_000, private readonly clock: () => number = Date.now) {
    this.windowMs = windowSeconds * 1000
  }

  get size (): number { return this.buckets.size }

  /** counts one request of `key` and says whether it is allowed */
  hit (key: string): WindowState {
    const now = this.clock()
    let bucket = this.buckets.get(key)
    if (bucket === undefined || now >= bucket.start + this.windowMs || now < bucket.start) {
      if (bucket !== undefined) this.buckets.delete(key)
      else if (this.buckets.size >= this.maxKeys) this.evictOldest()
      bucket = { start: now, count: 0 }
      this.buckets.set(key, bucket)
    }
    bucket.count++
    const resetSeconds = Math.max(1, Math.ceil((bucket.start + this.windowMs - now) / 1000))
    return { limit: this.max, remaining: Math.max(0, this.max - bucket.count), resetSeconds, allowed: bucket.count <= this.max }
  }

  /** drops ended windows; stops at the first live one (entries are in window-start order) */
  sweep (): number {
    const now = this.clock()
    let removed = 0
    for (const [key, bucket] of this.buckets) {
      if (now < bucket.start + this.windowMs && now >= bucket.start) break
      this.buckets.delete(key)
      removed++
    }
    return removed
  }

  private evictOldest (): void {
    const first = this.buckets.keys().next()
    if (first.done !== true) this.buckets.delete(first.value)
  }
}

export interface RateLimitOptions { max: number; windowSeconds: number; maxKeys?: number; clock?: () => number }

declare module 'fastify' {
  interface FastifyRequest {
    rateLimitCharged: boolean
  }
}

export function registerRateLimit (app: FastifyInstance, options: RateLimitOptions): FixedWindowLimiter | undefined {
  if (options.max === 0) return undefined
  const limiter = new FixedWindowLimiter(options.max, options.windowSeconds, options.maxKeys, options.clock)
  const policy = `${options.max};w=${options.windowSeconds}`

  app.decorateRequest('rateLimitCharged', false)
  const charge = (request: FastifyRequest, reply: FastifyReply): WindowState => {
    request.rateLimitCharged = true
    const who = request.principalOrNull
    const state = limiter.hit(who === null ? `ip:${request.ip}` : `sub:${who.subject}`)
    reply.header('ratelimit-policy', policy)
    reply.header('ratelimit', `limit=${state.limit}, remaining=${state.remaining}, reset=${state.resetSeconds}`)
    return state
  }

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return
    const state = charge(request, reply)
    if (!state.allowed) {
      throw new DomainError('rate-limited', `Rate limit of ${options.max} requests per ${options.windowSeconds} s exceeded; retry in ${state.resetSeconds} s`, { retryAfterSeconds: state.resetSeconds })
    }
  })

  // requests refused before the hook above (invalid or missing token) still count, against the client IP
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.rateLimitCharged && request.url.startsWith('/v1/')) charge(request, reply)
    return payload
  })

  const timer = setInterval(() => { limiter.sweep() }, options.windowSeconds * 1000)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
  return limiter
}
