import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastifyRateLimit from '@fastify/rate-limit'
import { Redis } from 'ioredis'
import { DomainError } from '../../domain/errors.js'

/**
 * Rate limits (issues 6 and 11) through @fastify/rate-limit, shared infrastructure registered on the root instance
 * between token verification and its enforcement (src/http/plugins/auth.ts), so refused tokens are counted too.
 *
 * - What is limited: requests whose MATCHED route is under /v1 (fastify's routeOptions.url, so an absolute-form
 *   request line or a percent-encoded spelling is limited like the normal one) and requests that match no route.
 *   Health probes, the docs and the contract are not.
 * - Key: the matched route pattern and the caller — the verified token's subject and organization; for requests
 *   without a valid token (public routes, missing, malformed or refused tokens) the client address, so a flood of
 *   invalid tokens is limited per address. RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_SECONDS per route and
 *   caller; the window starts at the first request (fixed window). RATE_LIMIT_MAX=0 disables limiting and headers.
 * - Store: in memory per replica by default (at most 100,000 keys, least recently used evicted); with
 *   RATE_LIMIT_REDIS_URL a shared Redis counter (INCR + PEXPIRE in one script), so N replicas enforce one limit.
 *   If Redis cannot be reached the request is let through (logged): the limiter never makes the API unavailable.
 * - Headers on every limited response (IETF draft httpapi-ratelimit-headers):
 *     RateLimit-Policy: <max>;w=<window>
 *     RateLimit: limit=<max>, remaining=<n>, reset=<seconds until the window ends>
 *   and over the limit a 429 `rate-limited` problem with Retry-After and retryAfterSeconds.
 */
export interface RateLimitOptions {
  max: number
  windowSeconds: number
  /** redis://… : shared counters */
  redisUrl?: string
  /** key prefix in Redis */
  redisPrefix?: string
}

const limited = (request: FastifyRequest): boolean => request.is404 || (request.routeOptions.url?.startsWith('/v1/') ?? false)

export function rateLimitKey (request: FastifyRequest): string {
  const route = request.is404 ? '(no route)' : `${request.routeOptions.url ?? ''}`
  const who = request.principalOrNull ?? null
  return who === null ? `${route}|ip:${request.ip}` : `${route}|sub:${who.subject}|org:${who.orgId ?? '-'}`
}

export async function registerRateLimit (app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  if (options.max === 0) return
  let redis: Redis | undefined
  if (options.redisUrl !== undefined) {
    // fail at once while Redis is away (no offline queue, one try per command): the request then passes
    redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1_000, lazyConnect: false })
    redis.on('error', (err: Error) => { app.log.warn({ err: { message: err.message } }, 'rate limit store (Redis) unavailable') })
    // start with the shared counters when Redis answers within 2 s; otherwise start anyway (requests pass until it does)
    const r = redis
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000)
      r.once('ready', () => { clearTimeout(timer); resolve() })
    })
    app.addHook('onClose', async () => {
      if (redis?.status === 'ready') await redis.quit().catch(() => { redis?.disconnect() })
      else redis?.disconnect() // stops reconnecting
    })
  }
  await app.register(fastifyRateLimit, {
    global: false,
    max: options.max,
    timeWindow: options.windowSeconds * 1000,
    keyGenerator: rateLimitKey,
    cache: 100_000,
    skipOnError: true,
    ...(redis === undefined ? {} : { redis, nameSpace: options.redisPrefix ?? 'support-desk:rate-limit:' })
  })
  const limit = app.createRateLimit()
  const policy = `${options.max};w=${options.windowSeconds}`

  app.addHook('onRequest', async (request, reply) => {
    if (!limited(request)) return
    const state = await limit(request)
    if (state.isAllowed) return
    const reset = Math.max(1, state.ttlInSeconds)
    reply.header('ratelimit-policy', policy)
    reply.header('ratelimit', `limit=${state.max}, remaining=${state.remaining}, reset=${reset}`)
    if (state.isExceeded) {
      throw new DomainError('rate-limited', `Rate limit of ${options.max} requests per ${options.windowSeconds} s exceeded; retry in ${reset} s`, { retryAfterSeconds: reset })
    }
  })
}
