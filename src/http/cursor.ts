import { createHash } from 'node:crypto'
import { DomainError } from '../domain/errors.js'

/**
 * Opaque keyset cursors: base64url of { p: position, f: fingerprint of the filters it was issued for }.
 * A cursor that does not decode, or that was issued for other filters, is a 400 `invalid-cursor`.
 */
type Position = Array<string | number>

const fingerprint = (filters: Record<string, unknown>): string => {
  const canonical = JSON.stringify(Object.keys(filters).sort().map((k) => [k, filters[k] ?? null]))
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16)
}

export function encodeCursor (position: Position, filters: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ p: position, f: fingerprint(filters) })).toString('base64url')
}

export function decodeCursor (cursor: string | undefined, filters: Record<string, unknown>, shape: Array<'string' | 'number'>): Position | undefined {
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
  if (!Array.isArray(p) || p.length !== shape.length || p.some((v, i) => typeof v !== shape[i])) {
    throw new DomainError('invalid-cursor', 'The cursor is malformed; use nextCursor exactly as returned')
  }
  if (f !== fingerprint(filters)) {
    throw new DomainError('invalid-cursor', 'The cursor was issued for different filters; start again without a cursor')
  }
  return p as Position
}
