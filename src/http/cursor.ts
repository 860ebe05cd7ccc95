import { createHash } from 'node:crypto'
import { DomainError } from '../domain/errors.js'
import type { Page } from '../application/page.js'

/**
 * Opaque keyset cursors: base64url of { p: position, f: fingerprint of the filters it was issued for }.
 * A cursor that does not decode, or that was issued for other filters, is a 400 `invalid-cursor`.
 */
type Position = Array<string | number>

/** what each position value must be; checked strictly so a hand-edited cursor is a 400, never a database error */
export type CursorKind = 'timestamp' | 'uuid' | 'id' | 'xid' | 'date' | 'text'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

/**
 * Years the database accepts in a 4-digit ISO value: PostgreSQL has no year 0 ('0000-01-01' is an error), so a
 * position must lie in 0001–9999 (the ISO format with 4 digits cannot say more). Checked here rather than signing
 * cursors with an HMAC: cursors stay stateless and need no shared secret between replicas or across restarts, and
 * every value that can reach SQL is checked against the column's domain, so a forged cursor can only ever move the
 * caller's own page — it is filtered like any other query.
 */
const inDatabaseYears = (iso: string): boolean => {
  const year = Number(iso.slice(0, 4))
  return year >= 1 && year <= 9999
}

/** PostgreSQL bigint / xid8 ranges */
const MAX_XID8 = 2n ** 64n - 1n

const validValue = (kind: CursorKind, v: unknown): boolean => {
  switch (kind) {
    case 'timestamp': return typeof v === 'string' && TIMESTAMP.test(v) && inDatabaseYears(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v
    case 'uuid': return typeof v === 'string' && UUID.test(v)
    case 'id': return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
    case 'xid': return typeof v === 'string' && /^\d{1,20}$/.test(v) && BigInt(v) <= MAX_XID8
    case 'date': return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && inDatabaseYears(v) && !Number.isNaN(Date.parse(`${v}T00:00:00.000Z`)) && new Date(`${v}T00:00:00.000Z`).toISOString().startsWith(v)
    case 'text': return typeof v === 'string' && v.length > 0 && v.length <= 200 && /^[A-Za-z0-9._:-]+$/.test(v)
  }
}

const fingerprint = (filters: Record<string, unknown>): string => {
  const canonical = JSON.stringify(Object.keys(filters).sort().map((k) => [k, filters[k] ?? null]))
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16)
}

export function encodeCursor (position: Position, filters: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ p: position, f: fingerprint(filters) })).toString('base64url')
}

export function decodeCursor (cursor: string | undefined, filters: Record<string, unknown>, shape: CursorKind[]): Position | undefined {
  if (cursor === undefined) return undefined
  let parsed: unknown
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw new Error('not base64url')
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw new DomainError('invalid-cursor', 'The cursor is malformed; use nextCursor exactly as returned')
  }
  const p = (parsed as { p?: unknown }).p
  const f = (parsed as { f?: unknown }).f
  if (!Array.isArray(p) || p.length !== shape.length || p.some((v, i) => !validValue(shape[i] as CursorKind, v))) {
    throw new DomainError('invalid-cursor', 'The cursor is malformed; use nextCursor exactly as returned')
  }
  if (f !== fingerprint(filters)) {
    throw new DomainError('invalid-cursor', 'The cursor was issued for different filters; start again without a cursor')
  }
  return p as Position
}

/**
 * One list route's keyset: reads the request's cursor (400 `invalid-cursor` as decodeCursor says) and builds the
 * page's `nextCursor` for the same filters — null when the page is the last.
 */
export interface Keyset {
  /** the decoded position, undefined on the first page */
  readonly position: Position | undefined
  /** a (timestamp, uuid) position as the use case's `after`: `{ [key]: Date, id }` */
  after: <K extends string>(key: K) => ({ [P in K]: Date } & { id: string }) | undefined
  /** the page's nextCursor: the position of its last item, or null when no more follow */
  next: <T>(page: Page<T>, positionOf: (last: T) => Position) => string | null
}

export function keyset (cursor: string | undefined, filters: Record<string, unknown>, shape: CursorKind[]): Keyset {
  const position = decodeCursor(cursor, filters, shape)
  return {
    position,
    after: <K extends string>(key: K) => position === undefined
      ? undefined
      : { [key]: new Date(position[0] as string), id: position[1] as string } as { [P in K]: Date } & { id: string },
    next: (page, positionOf) => {
      const last = page.items.at(-1)
      return page.hasMore && last !== undefined ? encodeCursor(positionOf(last), filters) : null
    }
  }
}
