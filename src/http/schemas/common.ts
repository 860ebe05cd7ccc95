import { Type, type Static, type TSchema } from '@sinclair/typebox'

/**
 * A reference to a registered schema (by its $id) that keeps the referenced static type for handlers.
 * Registered schemas become named OpenAPI components.
 */
export const ref = <T extends TSchema>(schema: T): ReturnType<typeof Type.Unsafe<Static<T>>> => {
  if (schema.$id === undefined) throw new Error('ref() needs a schema with $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

export const Uuid = Type.String({ format: 'uuid' })
export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-11-26T14:30:00.000Z'] })
export const DateOnly = Type.String({ format: 'date', examples: ['2026-11-26'] })
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const ProblemFieldError = Type.Object({
  path: Type.String({ description: 'JSON pointer (body), or `query.x`, `params.x`, `headers.x`' }),
  message: Type.String()
}, { $id: 'ProblemFieldError', additionalProperties: false })

export const Problem = Type.Object({
  type: Type.String({ format: 'uri', description: 'URI naming the problem; ends with the code' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String({ description: 'Stable machine-readable kebab-case code (see the error catalogue)' }),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(ref(ProblemFieldError)))
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
  items: Type.Array(item),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` to get the next page; null on the last page' }))
}, { $id, additionalProperties: false })

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Strong ETag from a previous response (e.g. "3"); a stale tag gives 412 and changes nothing' }))
})

export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ description: 'ETag of the copy you hold; 304 when it is still current' }))
})

export const NotModified = { description: 'Not modified: your copy (If-None-Match) is current', type: 'null' } as const

export const commonSchemas: TSchema[] = [ProblemFieldError, Problem]
