import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

/**
 * Browser access (issue 14) through @fastify/cors: only the exact origins of CORS_ORIGINS (empty: no cross-origin
 * access at all). Bearer tokens, never cookies, so no credentials mode. Preflights are cached for PREFLIGHT_MAX_AGE
 * seconds. A request from an origin not in the list gets no Access-Control-* headers, so the browser blocks it.
 */
export const PREFLIGHT_MAX_AGE = 600
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'X-Request-Id']
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'Idempotent-Replayed', 'X-Request-Id']

export async function registerCors (app: FastifyInstance, origins: string[]): Promise<void> {
  const allowed = new Set(origins)
  await app.register(cors, {
    origin: (origin, callback) => { callback(null, origin !== undefined && allowed.has(origin)) },
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE,
    strictPreflight: true,
    // the preflight answer: 204, no body
    optionsSuccessStatus: 204
  })
}
