import { createHash, randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import { HeldCommit, IdempotencyKeyTaken, type IdempotencyRow, type IdempotencyStore, type NewClaim, type TransactionClaim } from '../../application/idempotency.js'
import { isConnectionError, scopedContext } from '../../application/context.js'
import './request-context.js'
import { problemOf } from './errors.js'
import { DomainError } from '../../domain/errors.js'

/**
 * Idempotency-Key on every POST: shared infrastructure, registered once on the root instance (src/app.ts).
 *
 * Scope: token subject + organization (org_id or '-') + method + route pattern + key. The fingerprint is the
 * sha256 of the request path (with query) and the canonical JSON of the validated body (keys sorted), so the same
 * key on another ticket's sub-resource or with another body is a 422 `idempotency-key-reused`, never a replay of
 * an unrelated response.
 *
 * Life of a key:
 * 1. preHandler (after authentication and validation, so refused-by-validation requests are never stored):
 *    INSERT … ON CONFLICT DO NOTHING claims the key ('in_progress') before the handler runs.
 *    - row exists, other fingerprint → 422 idempotency-key-reused
 *    - row exists, in progress       → 409 idempotency-key-in-use, Retry-After: 1
 *    - row exists, completed         → replay: stored status, stored headers (content-type, location, etag),
 *                                      byte-identical body, `Idempotent-Replayed: true`
 * 2. onSend: a final response < 500 is stored (status, those headers, the exact body bytes) — including 4xx
 *    domain refusals (404, 409, 412, 422 …), so a retry gets the same answer instead of a different one after the
 *    world moved on. A 5xx releases the claim (row deleted): the request did not take effect (use cases are one
 *    transaction that rolled back), so a retry may run it again.
 * 3. Expiry: a key lives `ttlHours` (IDEMPOTENCY_TTL_HOURS, default 24) from its claim. An expired row is reused
 *    in place by the next claim of the same scope (so correctness never waits for a purge), and a timer (unref'd,
 *    every PURGE_EVERY_MS, per replica; batches of 1,000, idempotent across replicas) deletes expired rows.
 *
 * Why a separate record is safe although the use case runs its own transaction:
 * - Concurrent duplicates cannot both run: the claim row exists (committed) before either handler starts, and
 *   the primary key lets exactly one INSERT win; the others see the row and get 409 (or the replay, once stored).
 * - The window between the use case's commit and the stored response is closed: the handler's context carries a commit
 *   scope (`request.ctx`, src/db/commit-scope.ts), so every transaction it commits also marks the claim 'applied',
 *   atomically. If the process dies (or the database is lost) before the response is stored, the row says 'applied':
 *   retries get 409 idempotency-key-in-use until the claim is STALE_AFTER_MS old, then 409
 *   idempotency-response-lost — never a second run. Only a claim still 'in_progress' (nothing committed) is reclaimed as abandoned after STALE_AFTER_MS and run
 *   again, and a 5xx releases only such a claim. STALE_AFTER_MS (60 s) is far above any request's duration.
 * - Completing/releasing is conditional on the claim token, so a stale owner that wakes up late cannot
 *   overwrite a row another request has reclaimed.
 *
 * Routes whose every effect is in their transactions (`config: { idempotency: 'in-transaction' }`: ticket create,
 * comment, close …; issue 15) skip the separate claim: the request's first transaction inserts the row itself, already
 * 'applied', as its first statement (pipelined with BEGIN), so the claim costs no statement, no commit and no round trip
 * of its own. The guarantees are the same:
 * - The row exists exactly when the request's writes committed (one transaction), so 'in_progress' never appears and
 *   a request that rolled back leaves nothing behind.
 * - A duplicate (a retry, or a concurrent request on any replica) finds the key held: its INSERT waits on the primary
 *   key until the holder's transaction ends, returns no row, and the transaction throws IdempotencyKeyTaken, which wins
 *   over whatever the use case decided behind it (src/db/commit-scope.ts) and rolls everything back. The wrapper around
 *   the handler then answers from the row: the replay, 409 in use (committed, response not stored yet), 422 reused.
 * - A refusal before any transaction claimed the key (a 4xx) first looks for the key: a live row answers as above;
 *   otherwise the refusal is stored in onSend like any final response.
 * - The answer is stored in the same transaction: the first transaction is held open after the use case returns
 *   (src/db/commit-scope.ts, HeldCommit) until onSend has the serialized response; the completion goes out with the
 *   COMMIT, and the response leaves once both are through. So a committed request always has its answer stored (no
 *   'applied' window), and a COMMIT that fails (a deferred constraint, the connection lost) turns the prepared answer
 *   into a 500 / 503 problem: nothing of the request took effect. A handler that opens a second transaction lets the
 *   first commit before it (the answer is then completed after the response, as on the other routes); a hold that is
 *   never finished commits without the answer after HOLD_LIMIT_MS. Routes that opt in must not use the database after
 *   their transaction (they only present its result).
 * The price: a retry runs the handler up to its transaction's first statement before it is answered, so only routes
 * without effects outside their transactions (an upload's stored bytes, an HTTP call) opt in.
 */

export const STALE_AFTER_MS = 60_000
export const PURGE_EVERY_MS = 10 * 60_000
const STORED_HEADERS = ['content-type', 'location', 'etag'] as const

interface Claim {
  scope: string
  claimToken: string
  fingerprint: string
  settled: boolean
  replay: boolean
  /** in-transaction routes: the claim the request's first transaction inserts */
  inTransaction: TransactionClaim | null
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: Claim | null
  }
  interface FastifyContextConfig {
    /**
     * 'in-transaction': the request's Idempotency-Key is claimed inside its first transaction (every effect of the
     * route is in its transactions); default: claimed on its own before the handler runs
     */
    idempotency?: 'in-transaction'
  }
}

export interface IdempotencyOptions {
  store: IdempotencyStore
  now: () => Date
  ttlHours: number
  staleAfterMs?: number
  purgeEveryMs?: number
}

/** JSON with object keys sorted at every level: the same data always gives the same text */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
}

/** the response headers a replay repeats */
function storedHeaders (reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const name of STORED_HEADERS) {
    const value = reply.getHeader(name)
    if (value !== undefined) headers[name] = String(value)
  }
  return headers
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

export function registerIdempotency (app: FastifyInstance, options: IdempotencyOptions): void {
  const { store, now } = options
  const ttlMs = options.ttlHours * 3_600_000
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS

  app.decorateRequest('idempotencyClaim', null)

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return
    const key = request.headers['idempotency-key']
    if (key === undefined) return
    const route = request.routeOptions.url
    // no keys for unauthenticated callers (there are no public POSTs): their scope could not be told apart
    // `?? null`: routes registered by plugins in their own context (Swagger UI's /docs) lack later request decorations
    const who = request.principalOrNull ?? null
    if (route === undefined || request.is404 || who === null) return
    if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
      throw new DomainError('validation-failed', 'Idempotency-Key must be 1–255 characters', { errors: [{ path: 'headers.idempotency-key', message: 'must be 1–255 characters' }] })
    }
    const organizationScope = who.orgId ?? '-'
    const scope = sha256(JSON.stringify([who.subject, organizationScope, request.method, route, key]))
    const fingerprint = sha256(`${request.url}\n${canonicalJson(request.body ?? null)}`)

    if (request.routeOptions.config.idempotency === 'in-transaction') {
      const at = now()
      const newClaim: NewClaim = {
        scope, idempotencyKey: key, subject: who.subject, organizationScope, method: request.method, route,
        fingerprint, claimToken: randomUUID(), now: at, expiresAt: new Date(at.getTime() + ttlMs)
      }
      request.idempotencyClaim = { scope, claimToken: newClaim.claimToken, fingerprint, settled: false, replay: false, inTransaction: { newClaim, staleBefore: new Date(at.getTime() - staleAfterMs), claimed: false, hold: new HeldCommit() } }
      return
    }

    for (let attempt = 0; attempt < 3; attempt++) {
      const at = now()
      const claim: NewClaim = {
        scope, idempotencyKey: key, subject: who.subject, organizationScope, method: request.method, route,
        fingerprint, claimToken: randomUUID(), now: at, expiresAt: new Date(at.getTime() + ttlMs)
      }
      if (await store.claim(claim)) {
        request.idempotencyClaim = { scope, claimToken: claim.claimToken, fingerprint, settled: false, replay: false, inTransaction: null }
        return
      }
      const row = await store.find(scope)
      if (row === undefined) continue // released by a failed first attempt in the meantime: claim again
      const staleBefore = new Date(at.getTime() - staleAfterMs)
      if (!isLive(row, at, staleBefore)) {
        if (await store.reclaim(claim, staleBefore)) {
          request.idempotencyClaim = { scope, claimToken: claim.claimToken, fingerprint, settled: false, replay: false, inTransaction: null }
          return
        }
        continue
      }
      request.idempotencyClaim = { scope, claimToken: row.claimToken, fingerprint, settled: true, replay: true, inTransaction: null }
      return answerFromRow(row, fingerprint, at, reply)
    }
    throw inUse(reply)
  })

  /**
   * A row that holds its key: not expired, and not a claim abandoned 'in_progress' (claimed at or before
   * `staleBefore`, nothing of it committed). Any other row is free to be claimed again (reclaim).
   */
  function isLive (row: IdempotencyRow, at: Date, staleBefore: Date): boolean {
    if (row.expiresAt.getTime() <= at.getTime()) return false
    return !(row.state === 'in_progress' && row.claimedAt.getTime() <= staleBefore.getTime())
  }

  /**
   * The answer to a request whose key another request holds (a live row): 422 when it is another request, the replay
   * when its response is stored, 409 while it is not (or response-lost once its owner is long gone)
   */
  function answerFromRow (row: IdempotencyRow, fingerprint: string, at: Date, reply: FastifyReply): FastifyReply {
    if (row.fingerprint !== fingerprint) {
      throw new DomainError('idempotency-key-reused', 'This Idempotency-Key was already used with a different request (path or body); use a new key for a new request')
    }
    if (row.state !== 'completed' || row.statusCode === null || row.responseBody === null) {
      // applied = its transaction committed; after the stale limit its owner is gone and will never store the response
      if (row.state === 'applied' && row.claimedAt.getTime() <= at.getTime() - staleAfterMs) {
        throw new DomainError('idempotency-response-lost', 'The request with this Idempotency-Key took effect, but its response could not be stored; read the resource (or GET /v1/events) to see the outcome — running it again could double it')
      }
      throw inUse(reply)
    }
    reply.code(row.statusCode)
    for (const [name, value] of Object.entries(row.responseHeaders ?? {})) reply.header(name, value)
    reply.header('idempotent-replayed', 'true')
    reply.send(row.responseBody)
    return reply
  }

  function inUse (reply: FastifyReply): DomainError {
    reply.header('retry-after', '1')
    return new DomainError('idempotency-key-in-use', 'A request with this Idempotency-Key is still being processed; retry shortly', { retryAfterSeconds: 1 })
  }

  /** in-transaction routes: a request that found its key held (or was refused before claiming it) answers from the row */
  async function answerHeldKey (request: FastifyRequest, reply: FastifyReply, err: unknown): Promise<FastifyReply> {
    const claim = request.idempotencyClaim ?? null
    const pending = claim?.inTransaction ?? null
    if (claim === null || pending === null || pending.claimed || pending.hold.handedOver || claim.settled) throw err
    const taken = err instanceof IdempotencyKeyTaken
    // a 5xx (other than a held key) stores nothing and looks for nothing: a retry may run again
    if (!taken && !(err instanceof DomainError && err.status < 500)) throw err
    const at = now()
    const row = await store.find(claim.scope)
    if (row === undefined || !isLive(row, at, pending.staleBefore)) {
      if (taken) throw inUse(reply) // its holder rolled back or it expired in the meantime: a retry claims it
      throw err // a refusal of a free key: stored in onSend like any final response
    }
    claim.settled = true
    claim.replay = true
    return answerFromRow(row, claim.fingerprint, at, reply)
  }

  app.addHook('onRoute', (route) => {
    if (route.config?.idempotency !== 'in-transaction') return
    const handler = route.handler as (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>
    route.handler = async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      try {
        return await handler.call(this, request, reply)
      } catch (err) {
        return await answerHeldKey(request, reply, err)
      }
    } as RouteHandlerMethod
  })

  // the handler's context carries the claim: its transactions mark the claim 'applied' (or claim the key) as they
  // commit (src/db/commit-scope.ts); a request without a live claim keeps the app's context
  app.addHook('preHandler', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const claim = request.idempotencyClaim ?? null
    if (claim !== null && !claim.settled) {
      const scope = claim.inTransaction !== null ? store.claiming(claim.inTransaction) : store.marking(claim)
      request.ctx = scopedContext(request.ctx, scope)
    }
    done()
  })

  app.addHook('onSend', async (request, reply, payload) => {
    // an onSend hook must never throw: its error would be answered by Fastify's fallback (not a problem, internal text)
    const claim = request.idempotencyClaim ?? null
    if (claim === null || claim.settled) return payload
    claim.settled = true
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.isBuffer(payload) ? payload : null
    const pending = claim.inTransaction
    if (pending !== null && pending.hold.handedOver) {
      // the request's transaction waits, open, for this answer: it is stored with the COMMIT, and the answer leaves
      // only once both are through (a 5xx commits the writes without it: 409 in-use, then response-lost, as below)
      const final = reply.statusCode < 500 && body !== null
        ? store.completeWith(claim.scope, claim.claimToken, { statusCode: reply.statusCode, headers: storedHeaders(reply), body }, now())
        : null
      try {
        if (await pending.hold.finish(final) || final === null) return payload
      } catch (err) {
        return failedCommit(request, reply, err)
      }
      // it had committed without the answer (a later transaction of the request, or the hold limit): stored below
    }
    try {
      if (pending !== null && !pending.claimed) {
        // no transaction of the request claimed the key: a final answer (a refusal) is stored now, a 5xx leaves it free
        if (reply.statusCode >= 500 || body === null) return payload
        const stored = await store.storeCompleted({ ...pending.newClaim, now: now() }, { statusCode: reply.statusCode, headers: storedHeaders(reply), body }, pending.staleBefore)
        if (!stored) request.log.info({ scope: claim.scope }, 'idempotency key taken by another request before this refusal was stored')
        return payload
      }
      if (reply.statusCode >= 500 || body === null) {
        // did not take effect (or a stream we cannot replay): free the key for a retry
        await store.release(claim.scope, claim.claimToken)
        return payload
      }
      const stored = await store.complete(claim.scope, claim.claimToken, { statusCode: reply.statusCode, headers: storedHeaders(reply), body }, now())
      if (!stored) request.log.warn({ scope: claim.scope }, 'idempotency claim was taken over before the response was stored')
    } catch (err) {
      // the response still goes out; the row stays in_progress and becomes reclaimable after STALE_AFTER_MS
      request.log.error({ err }, 'could not store the idempotent response')
    }
    return payload
  })

  /**
   * The held transaction failed at COMMIT (a deferred constraint, the connection lost): nothing of the request
   * committed, so its prepared answer is replaced by the problem a failure inside the handler would have given.
   */
  function failedCommit (request: FastifyRequest, reply: FastifyReply, err: unknown): string {
    const lost = isConnectionError(err)
    request.log.error({ err }, 'the request\'s transaction failed at COMMIT')
    const problem = lost
      ? problemOf('database-unavailable', 'The database cannot be reached right now; retry shortly', { retryAfterSeconds: 2 })
      : problemOf('internal', 'An unexpected error occurred; quote the X-Request-Id when reporting it', { requestId: request.id })
    reply.removeHeader('etag')
    reply.removeHeader('location')
    reply.removeHeader('content-length')
    if (lost) reply.header('retry-after', '2')
    reply.code(problem.status).header('content-type', 'application/problem+json')
    return JSON.stringify({ ...problem, instance: request.url })
  }

  const purgeEveryMs = options.purgeEveryMs ?? PURGE_EVERY_MS
  const timer = setInterval(() => {
    store.purgeExpired(now()).catch((err: unknown) => { app.log.warn({ err }, 'idempotency key purge failed') })
  }, purgeEveryMs)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })
}

/** route config of a POST whose every effect is in its transactions: its Idempotency-Key is claimed inside the first */
export const IN_TRANSACTION = { idempotency: 'in-transaction' } as const
