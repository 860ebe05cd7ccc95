import { Type, type Static, type TSchema } from '@sinclair/typebox'

/**
 * A reference to a registered schema (by its $id) that keeps the referenced static type for handlers.
 * Registered schemas become named OpenAPI components.
 */
export const ref = <T extends TSchema>(schema: T): ReturnType<typeof Type.Unsafe<Static<T>>> => {
  if (schema.$id === undefined) throw new Error('ref() needs a schema with $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

/**
 * Bounds conventions (OWASP API4; checked by Spectral in `npm run openapi:check`): every string has maxLength (or
 * enum/const) — formats get theirs from src/http/schemas/bounds.ts; every integer format int32/int64 with minimum and
 * maximum (versions and counters: int32, 0|1 … INT32_MAX, the database's integer); every array maxItems.
 */
export const INT32_MAX = 2147483647
/** a counter or version as the database stores it (integer column) */
export const Count = (options: { minimum?: number; description?: string } = {}) => Type.Integer({ format: 'int32', minimum: 0, maximum: INT32_MAX, ...options })
/** page items: at most the largest `limit` a list accepts */
export const PAGE_MAX_ITEMS = 500
/** a token subject (sub claim) as shown in actors, assignees and authors */
export const Subject = (options: { description?: string } = {}) => Type.String({ maxLength: 200, ...options })
export const Role = Type.String({ maxLength: 20, description: 'customer, agent, admin or system' })
/** an ISO 8601 duration such as PT24H */
export const IsoDuration = (options: { description?: string; examples?: string[] } = {}) => Type.String({ maxLength: 32, ...options })

export const Uuid = Type.String({ format: 'uuid' })
export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-11-26T14:30:00.000Z'] })
export const DateOnly = Type.String({ format: 'date', examples: ['2026-11-26'] })
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const ProblemFieldError = Type.Object({
  path: Type.String({ maxLength: 1000, description: 'JSON pointer (body), or `query.x`, `params.x`, `headers.x`' }),
  message: Type.String({ maxLength: 1000 })
}, { $id: 'ProblemFieldError', additionalProperties: false })

export const Problem = Type.Object({
  type: Type.String({ format: 'uri', description: 'URI naming the problem; ends with the code' }),
  title: Type.String({ maxLength: 200 }),
  status: Type.Integer({ format: 'int32', minimum: 400, maximum: 599 }),
  detail: Type.String({ maxLength: 5000 }),
  code: Type.String({ maxLength: 100, description: 'Stable machine-readable kebab-case code (see the error catalogue)' }),
  instance: Type.Optional(Type.String({ maxLength: 2048, description: 'The request path (truncated to 2048 characters)' })),
  errors: Type.Optional(Type.Array(ref(ProblemFieldError), { maxItems: 100 }))
}, {
  $id: 'Problem',
  description: 'RFC 9457 problem details. Extra members that help the caller act (e.g. currentStatus, remaining, retryAfterSeconds) may be present.',
  additionalProperties: true,
  examples: [{ type: 'https://support-desk.dev/problems/channel-not-in-plan', title: 'The channel is not included in the support plan', status: 422, detail: 'Phone support needs the Premier plan', code: 'channel-not-in-plan' }]
})

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input (validation-failed, malformed-request, invalid-cursor)',
  401: 'Missing or invalid bearer token',
  403: 'Not allowed (role or subscription)',
  404: 'Not found (or belongs to another organization)',
  409: 'Conflicts with the current state',
  412: 'Stale If-Match: the resource has changed',
  413: 'Body too large (limit 1 MiB)',
  415: 'Unsupported media type (use application/json)',
  422: 'Against a rule of the support policy',
  428: 'Precondition header required',
  429: 'Rate limited; see Retry-After',
  500: 'Unexpected error',
  503: 'Not ready or overloaded'
}

/** problem responses for the given statuses, all referencing the one Problem component */
export function problemResponses (...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {}
  for (const status of statuses) {
    out[status] = {
      description: STATUS_TEXT[status] ?? 'Problem',
      content: { 'application/problem+json': { schema: ref(Problem) } }
    }
  }
  return out
}

export const Limit = (max = 100, def = 25) => Type.Integer({ minimum: 1, maximum: max, default: def, description: `Page size, 1–${max} (default ${def})` })
export const CursorParam = Type.String({ minLength: 1, maxLength: 2048, description: 'Opaque cursor: the nextCursor of the previous page (tied to the same filters)' })

/** a list page: `{ items, nextCursor }` */
export const Page = <T extends TSchema>(item: T, $id: string) => Type.Object({
  items: Type.Array(item, { maxItems: PAGE_MAX_ITEMS }),
  nextCursor: Nullable(Type.String({ maxLength: 2048, description: 'Pass as `cursor` to get the next page; null on the last page' }))
}, { $id, additionalProperties: false })

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 1024, description: 'Strong ETag from a previous response (e.g. "3"); a stale tag gives 412 and changes nothing' }))
})

export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 1024, description: 'ETag of the copy you hold; 304 when it is still current' }))
})

export const NotModified = { description: 'Not modified: your copy (If-None-Match) is current', type: 'null' } as const

export const commonSchemas: TSchema[] = [ProblemFieldError, Problem]
