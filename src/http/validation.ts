import { Ajv, type AnySchema, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import fastUri from 'fast-uri'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM
type AddFormats = (ajv: Ajv) => Ajv
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats

/** the range of instants the service accepts: every one of them is a valid JS Date and a valid PostgreSQL timestamptz */
export const MIN_YEAR = 1970
export const MAX_YEAR = 8999

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

const validDay = (y: number, m: number, d: number): boolean => {
  if (y < MIN_YEAR || y > MAX_YEAR || m < 1 || m > 12 || d < 1) return false
  const probe = new Date(Date.UTC(y, m - 1, d))
  return probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d
}

/** RFC 3339 date-time that is a real instant (no Feb 30, no leap second, offsets within ±23:59), years 1970–8999 */
export function isStorableDateTime (s: string): boolean {
  const m = DATE_TIME.exec(s)
  if (m === null) return false
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number]
  if (!validDay(y, mo, d) || h > 23 || mi > 59 || sec > 59) return false
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false
  return !Number.isNaN(Date.parse(s))
}

/** YYYY-MM-DD that exists in the calendar, years 1970–8999 */
export function isStorableDate (s: string): boolean {
  const m = DATE.exec(s)
  return m !== null && validDay(Number(m[1]), Number(m[2]), Number(m[3]))
}

/** request media types whose body is a stream the route reads itself (never parsed or validated as a whole) */
export const STREAMED_BODY_TYPES = new Set(['multipart/form-data', 'application/octet-stream'])

const acceptStream = (() => true) as unknown as ValidateFunction

/**
 * Two validators: bodies are validated exactly (no type coercion, unknown fields refused by the schemas'
 * additionalProperties: false and never silently removed); query strings, params and headers are text on the
 * wire, so they may be coerced ("50" → 50).
 */
export function buildValidatorFactory () {
  return (externalSchemas: Record<string, unknown>) => {
    const make = (coerceTypes: false | 'array') => {
      const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, uriResolver: fastUri, addUsedSchema: false, strict: false })
      addFormats(ajv)
      ajv.addFormat('date-time', { type: 'string', validate: isStorableDateTime })
      ajv.addFormat('date', { type: 'string', validate: isStorableDate })
      for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as AnySchema)
      return ajv
    }
    const exact = make(false)
    const coercing = make('array')
    return ({ schema, httpPart, contentType }: { schema: AnySchema; httpPart?: string; contentType?: string }) => {
      // streamed bodies (file uploads, issue 19) are declared for the contract and checked by their handler as they stream
      if (httpPart === 'body' && contentType !== undefined && STREAMED_BODY_TYPES.has(contentType)) return acceptStream
      const ajv = httpPart === 'body' ? exact : coercing
      const id = (schema as { $id?: string }).$id
      if (id !== undefined) {
        const stored = ajv.getSchema(id)
        if (stored !== undefined) return stored
      }
      return ajv.compile(schema)
    }
  }
}
