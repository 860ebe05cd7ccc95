import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Principal } from '../../domain/access.js'
import { DomainError } from '../../domain/errors.js'
import type { TokenVerifier } from '../../auth/verifier.js'

declare module 'fastify' {
  interface FastifyRequest {
    principalOrNull: Principal | null
    /** why the request's token was refused; thrown by the enforcement hook (after the rate limit counted it) */
    authRefusal: DomainError | null
  }
  interface FastifyContextConfig {
    /** true: no bearer token needed (public policy reads, health, docs) */
    public?: boolean
    /** true: a bearer token is optional (anonymous readers get principalOrNull = null); a token given must be valid */
    optionalAuth?: boolean
  }
}

/** the verified caller; only call from routes that are not public */
export function principal (request: FastifyRequest): Principal {
  const who = request.principalOrNull ?? null // undefined on routes registered by plugins in their own context
  if (who === null) throw new DomainError('unauthenticated', 'A bearer token is required')
  return who
}

/** the gate keys on the MATCHED route (issue 11): an absolute-form request line or a percent-encoded spelling of a /v1 path is gated like the normal one */
const needsToken = (request: FastifyRequest): boolean =>
  request.routeOptions.config.public !== true && (request.routeOptions.url?.startsWith('/v1/') ?? false)

/**
 * Bearer JWT on every /v1 route except those marked `config: { public: true }`.
 * Shared infrastructure, registered on the root instance, in two hooks: `registerAuth` verifies the token (and
 * remembers a refusal), the rate limit counts the request against the caller or the client address, then
 * `registerAuthEnforcement` refuses it (401) — so a flood of invalid tokens is rate limited.
 */
export function registerAuth (app: FastifyInstance, verify: TokenVerifier): void {
  app.decorateRequest('principalOrNull', null)
  app.decorateRequest('authRefusal', null)
  app.addHook('onRequest', async (request) => {
    if (!needsToken(request)) return
    const header = request.headers.authorization
    if ((header === undefined || header === '') && request.routeOptions.config.optionalAuth === true) return
    if (header === undefined || header === '') {
      request.authRefusal = new DomainError('unauthenticated', 'A bearer token is required (Authorization: Bearer <token>)')
      return
    }
    const match = /^Bearer\s+([A-Za-z0-9_\-.]+)$/i.exec(header)
    if (match === null || match[1] === undefined) {
      request.authRefusal = new DomainError('invalid-token', 'The Authorization header must be `Bearer <token>`')
      return
    }
    try {
      request.principalOrNull = await verify(match[1])
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      request.authRefusal = err
    }
  })
}

export function registerAuthEnforcement (app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    // `?? null`: routes registered by plugins in their own context (Swagger UI) never got the decoration (undefined)
    const refusal = request.authRefusal ?? null
    if (refusal !== null) { done(refusal); return }
    done()
  })
}
