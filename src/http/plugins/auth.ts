import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Principal } from '../../domain/access.js'
import { DomainError } from '../../domain/errors.js'
import type { TokenVerifier } from '../../auth/verifier.js'

declare module 'fastify' {
  interface FastifyRequest {
    principalOrNull: Principal | null
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
  if (request.principalOrNull === null) throw new DomainError('unauthenticated', 'A bearer token is required')
  return request.principalOrNull
}

/**
 * Bearer JWT on every /v1 route except those marked `config: { public: true }`.
 * Shared infrastructure, registered on the root instance.
 */
export function registerAuth (app: FastifyInstance, verify: TokenVerifier): void {
  app.decorateRequest('principalOrNull', null)
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true) return
    if (!request.url.startsWith('/v1/')) return
    const header = request.headers.authorization
    if ((header === undefined || header === '') && request.routeOptions.config.optionalAuth === true) return
    if (header === undefined || header === '') throw new DomainError('unauthenticated', 'A bearer token is required (Authorization: Bearer <token>)')
    const match = /^Bearer\s+([A-Za-z0-9_\-.]+)$/i.exec(header)
    if (match === null || match[1] === undefined) throw new DomainError('invalid-token', 'The Authorization header must be `Bearer <token>`')
    request.principalOrNull = await verify(match[1])
  })
}
