/**
 * Contract bounds (issue 11, OWASP API4 resource limits): every string has a maxLength (or enum/const), every integer
 * a format and limits, every array maxItems. Schemas state their own bounds; this pass fills in the ones that follow
 * from a format alone, so no schema can forget them:
 *
 * - string, format uuid → maxLength 36 (PostgreSQL's uuid input; the `urn:uuid:` form is refused), date-time → 64,
 *   date → 10, time → 32, email → 320, uri → 2048
 * - integer without format → `int32` when its limits fit in 32 bits, else `int64`
 *
 * Applied in place to every registered schema (src/http/schemas/index.ts) and to every route's own schemas
 * (src/http/plugins/route-defaults.ts), so validation and the contract agree.
 */
const FORMAT_MAX_LENGTH: Record<string, number> = { uuid: 36, 'date-time': 64, date: 10, time: 32, email: 320, uri: 2048 }
const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1

export function applyFormatBounds<T> (schema: T, seen = new Set<object>()): T {
  if (schema === null || typeof schema !== 'object' || seen.has(schema as object)) return schema
  seen.add(schema as object)
  if (Array.isArray(schema)) {
    for (const item of schema) applyFormatBounds(item, seen)
    return schema
  }
  const s = schema as Record<string, unknown>
  if (s.type === 'string' && typeof s.format === 'string' && s.maxLength === undefined && s.enum === undefined && s.const === undefined) {
    const max = FORMAT_MAX_LENGTH[s.format]
    if (max !== undefined) s.maxLength = max
  }
  if (s.type === 'integer' && s.format === undefined) {
    const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : undefined
    const max = typeof s.maximum === 'number' ? s.maximum : typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : undefined
    s.format = min !== undefined && max !== undefined && min >= INT32_MIN && max <= INT32_MAX ? 'int32' : 'int64'
  }
  for (const [key, value] of Object.entries(s)) {
    if (key === 'examples' || key === 'example' || key === 'default' || key === 'const' || key === 'enum') continue
    applyFormatBounds(value, seen)
  }
  return schema
}
