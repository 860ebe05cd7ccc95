import type { FastifyInstance, RouteOptions } from 'fastify'
import { problemResponses } from '../schemas/common.js'
import { applyFormatBounds } from '../schemas/bounds.js'

interface RouteSchema {
  security?: unknown
  response?: Record<string | number, unknown>
  headers?: { type?: string; properties?: Record<string, unknown>; required?: string[] }
  body?: unknown
  querystring?: unknown
  params?: unknown
  hide?: boolean
}

export const IDEMPOTENCY_KEY_HEADER = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  description: 'Makes the POST safe to retry: a retry with the same key and body replays the stored response (Idempotent-Replayed: true). Keys are scoped to the caller and route and expire after 24 hours.'
}

const IDEMPOTENCY_RESPONSES: Record<number, unknown> = Object.fromEntries(Object.entries(problemResponses(409, 422)).map(([status, response]) => [status, {
  ...(response as object),
  description: status === '409'
    ? 'A request with this Idempotency-Key is still running (idempotency-key-in-use; retry after Retry-After), or it took effect and its response was lost (idempotency-response-lost; do not retry, read the outcome)'
    : 'The Idempotency-Key was used with a different request (idempotency-key-reused)'
}]))

/**
 * Contract defaults applied to every documented operation as it is registered, so no route copies them:
 * the security requirement, the shared problem responses, and the Idempotency-Key header on every POST.
 */
export function registerRouteDefaults (app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.schema === undefined) return
    const schema = route.schema as RouteSchema
    if (schema.hide === true) return
    const isPublic = (route.config as { public?: boolean } | undefined)?.public === true
    schema.security ??= isPublic ? [] : [{ bearerAuth: [] }]
    // only /v1 is rate limited: probes and the contract never answer 429
    const statuses = route.url.startsWith('/v1/') ? [400, 429, 500] : [400, 500]
    if (!isPublic) statuses.push(401, 403)
    if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH') statuses.push(413, 415)
    const defaults = problemResponses(...statuses)
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    // any POST may meet its Idempotency-Key's refusals (a route's own 409/422 descriptions take precedence)
    if (methods.includes('POST')) Object.assign(defaults, IDEMPOTENCY_RESPONSES)
    schema.response = { ...defaults, ...(schema.response ?? {}) }
    if (methods.includes('POST')) {
      const headers = schema.headers ?? { type: 'object', properties: {} }
      headers.properties = { ...(headers.properties ?? {}), 'idempotency-key': IDEMPOTENCY_KEY_HEADER }
      schema.headers = headers
    }
    applyFormatBounds(schema)
    route.schema = schema as RouteOptions['schema']
  })
}
