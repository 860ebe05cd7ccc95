import type { FastifyInstance } from 'fastify'
import { DomainError } from '../../domain/errors.js'

/**
 * Shutdown drain (issue 11). fastify is built with `return503OnClosing: false` (its built-in drain answer is a bare
 * JSON body); instead, once `app.close()` has begun, a request arriving on a connection that is still open (keep-alive,
 * pipelined) is refused here with a 503 `shutting-down` problem, `Retry-After` and `Connection: close`. Requests
 * already in flight when the drain began complete normally. Registered first, before authentication.
 */
export function registerDrain (app: FastifyInstance, options: { retryAfterSeconds?: number } = {}): { readonly draining: boolean } {
  const state = { draining: false }
  app.addHook('preClose', async () => { state.draining = true })
  app.addHook('onRequest', (_request, reply, done) => {
    if (!state.draining) { done(); return }
    reply.header('connection', 'close')
    done(new DomainError('shutting-down', 'The service is shutting down; retry (another replica will answer)', { retryAfterSeconds: options.retryAfterSeconds ?? 1 }))
  })
  return state
}
