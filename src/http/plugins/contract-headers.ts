/**
 * Response headers that every operation shares (rate limits, Retry-After, Idempotent-Replayed), documented once as
 * `components.headers` and referenced from each operation's responses by a transform of the generated OpenAPI
 * document (registered in src/http/plugins/swagger.ts), so no route repeats them.
 */

interface HeaderComponent { description: string; schema: { type: 'string' | 'integer'; format?: string; minimum?: number; maximum?: number; maxLength?: number; enum?: string[]; examples?: unknown[] } }

export const RESPONSE_HEADER_COMPONENTS: Record<'RateLimit' | 'RateLimit-Policy' | 'Retry-After' | 'Idempotent-Replayed' | 'Access-Control-Allow-Origin' | 'Access-Control-Expose-Headers', HeaderComponent> = {
  'Access-Control-Allow-Origin': {
    description: 'CORS: the calling page\'s origin when it is one of the deployment\'s CORS_ORIGINS (exact origins; none by default). Absent otherwise, so browsers block other origins. No credentials mode: send the bearer token in Authorization.',
    schema: { type: 'string', maxLength: 2048, examples: ['https://console.example.com'] }
  },
  'Access-Control-Expose-Headers': {
    description: 'CORS: the response headers a browser page may read: ETag, Location, RateLimit, RateLimit-Policy, Retry-After, Idempotent-Replayed, X-Request-Id.',
    schema: { type: 'string', maxLength: 2048, examples: ['ETag, Location, RateLimit, RateLimit-Policy, Retry-After, Idempotent-Replayed, X-Request-Id'] }
  },
  RateLimit: {
    description: 'The caller\'s current window (IETF draft RateLimit header): `limit`, `remaining` requests and seconds until `reset`. Callers are identified by token subject (or client IP without a token). Limits are kept per replica. Absent when rate limiting is disabled.',
    schema: { type: 'string', maxLength: 200, examples: ['limit=6000, remaining=5998, reset=42'] }
  },
  'RateLimit-Policy': {
    description: 'The quota policy: `<max requests>;w=<window seconds>`. Absent when rate limiting is disabled.',
    schema: { type: 'string', maxLength: 200, examples: ['6000;w=60'] }
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying (429 rate-limited: until the window resets; 409 idempotency-key-in-use: 1).',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86400, examples: [1] }
  },
  'Idempotent-Replayed': {
    description: '`true` when this response is the stored response of an earlier request with the same Idempotency-Key (status, body, Location and ETag as first sent).',
    schema: { type: 'string', enum: ['true'] }
  }
}

type HeaderRefs = Record<string, { $ref: string }>
interface ResponseObject { headers?: HeaderRefs; [k: string]: unknown }
interface ParameterObject { in?: string; required?: boolean; schema?: { default?: unknown }; [k: string]: unknown }
interface OperationObject { responses?: Record<string, ResponseObject>; parameters?: ParameterObject[]; [k: string]: unknown }

const refTo = (name: keyof typeof RESPONSE_HEADER_COMPONENTS): { $ref: string } => ({ $ref: `#/components/headers/${name}` })

/**
 * Finishes the generated document: adds the shared header references to the responses of every /v1 operation, and
 * marks query parameters that have a default (e.g. `limit`) as optional — TypeBox lists them as required (the
 * validator fills the default), but a client need not send them, and generated SDKs should not demand them.
 */
export function addSharedResponseHeaders<T> (document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, OperationObject>> }).paths ?? {}
  for (const [path, item] of Object.entries(paths)) {
    for (const operation of Object.values(item)) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query' && parameter.required === true && parameter.schema?.default !== undefined) delete parameter.required
      }
    }
    for (const [method, operation] of Object.entries(item)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const headers: HeaderRefs = { ...(response.headers ?? {}) }
        // CORS applies to every route (src/http/plugins/cors.ts)
        headers['Access-Control-Allow-Origin'] = refTo('Access-Control-Allow-Origin')
        headers['Access-Control-Expose-Headers'] = refTo('Access-Control-Expose-Headers')
        response.headers = headers
        if (!path.startsWith('/v1/')) continue
        headers.RateLimit = refTo('RateLimit')
        headers['RateLimit-Policy'] = refTo('RateLimit-Policy')
        if (status === '429' || (method === 'post' && status === '409')) headers['Retry-After'] = refTo('Retry-After')
        if (method === 'post' && /^[24]/.test(status)) headers['Idempotent-Replayed'] = refTo('Idempotent-Replayed')
        response.headers = headers
      }
    }
  }
  return document
}
