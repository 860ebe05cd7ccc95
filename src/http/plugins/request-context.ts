import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../application/context.js'

/**
 * `request.ctx`: the use cases' context of one request. Every route handler passes it to its use case (never the app's
 * context directly): it is the app's context, except on a POST with a live Idempotency-Key claim, where the
 * idempotency plugin replaces it with one whose transactions carry the claim (src/http/plugins/idempotency.ts).
 */
declare module 'fastify' {
  interface FastifyRequest {
    ctx: AppContext
  }
}

/** sets `request.ctx` to the app's context on every request (a callback hook: no promise per request) */
export function registerRequestContext (app: FastifyInstance, ctx: AppContext): void {
  // null until the hook below runs (a reference type may not be a decoration's default)
  app.decorateRequest('ctx', null as unknown as AppContext)
  app.addHook('onRequest', (request, reply, done) => {
    request.ctx = ctx
    reply.header('x-request-id', request.id)
    done()
  })
}
