import type { FastifyInstance } from 'fastify'
import { DomainError } from '../../domain/errors.js'

// a NUL character, or a UTF-16 surrogate that is not part of a pair: neither can be stored in PostgreSQL text/jsonb
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function findUnstorable (value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined
  if (value === null || typeof value !== 'object' || depth > 32) return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findUnstorable(value[i], `${path}/${i}`, depth + 1)
      if (hit !== undefined) return hit
    }
    return undefined
  }
  for (const [k, v] of Object.entries(value)) {
    const hit = findUnstorable(v, `${path}/${k}`, depth + 1)
    if (hit !== undefined) return hit
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
      const hit = findUnstorable(value, '')
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
