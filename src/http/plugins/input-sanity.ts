import type { FastifyInstance } from 'fastify'
import { DomainError } from '../../domain/errors.js'

// a NUL character, or a UTF-16 surrogate that is not part of a pair: neither can be stored in PostgreSQL text/jsonb
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
// what a string must contain for UNSTORABLE to match (a NUL or any surrogate): one character class, cheap on every
// string of every request; the exact pattern (lookaround at each position) runs only on strings that pass it
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const SUSPECT = /[\u0000\uD800-\uDFFF]/

const unstorable = (s: string): boolean => SUSPECT.test(s) && UNSTORABLE.test(s)

/**
 * The JSON-pointer-like path (`/a/0/b`, `` for the value itself) of the first string in `value` that the database
 * cannot store, or undefined. The path is put together only for a hit: the walk over a clean body builds no strings.
 */
export function findUnstorable (value: unknown): string | undefined {
  const hit = walk(value, 0)
  return hit === undefined ? undefined : hit.map((k) => `/${k}`).reverse().join('')
}

/** the hit's keys, innermost first */
function walk (value: unknown, depth: number): string[] | undefined {
  if (typeof value === 'string') return unstorable(value) ? [] : undefined
  if (value === null || typeof value !== 'object' || depth > 32) return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = walk(value[i], depth + 1)
      if (hit !== undefined) { hit.push(String(i)); return hit }
    }
    return undefined
  }
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue
    const hit = walk((value as Record<string, unknown>)[k], depth + 1)
    if (hit !== undefined) { hit.push(k); return hit }
  }
  return undefined
}

/**
 * Refuses text the database cannot store (NUL, unpaired surrogates) in bodies, query strings and path parameters
 * with a 400 validation problem, before any handler sees it.
 */
export function registerInputSanity (app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const parts: Array<[string, unknown]> = [['', request.body], ['query', request.query], ['params', request.params]]
    for (const [part, value] of parts) {
      const hit = findUnstorable(value)
      if (hit !== undefined) {
        const path = part === '' ? (hit === '' ? '/' : hit) : `${part}${hit.replace(/\//g, '.')}`
        done(new DomainError('validation-failed', `${path} contains a character that cannot be stored (NUL or an unpaired surrogate)`, {
          errors: [{ path, message: 'contains a NUL character or an unpaired UTF-16 surrogate' }]
        }))
        return
      }
    }
    done()
  })
}
