import type { FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../domain/errors.js'

/** strong ETag from a resource version */
export const etagOf = (version: number): string => `"${version}"`

export function setEtag (reply: FastifyReply, version: number): void {
  reply.header('etag', etagOf(version))
}

/**
 * The version an If-Match header demands, or undefined when there is none (or it is `*`).
 * Use cases compare it with the row they lock, so the check and the write are atomic.
 */
export function expectedVersion (request: FastifyRequest): number | undefined {
  return versionOfIfMatch(request.headers['if-match'])
}

/** the version an If-Match value (header, or a batch item's ifMatch) demands; undefined for none or `*` */
export function versionOfIfMatch (raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '*') return undefined
  const tags = raw.split(',').map((t) => t.trim())
  // several tags: any of them may match; we keep the contract simple and accept one strong tag
  const match = /^"(\d{1,9})"$/.exec(tags[0] ?? '')
  if (tags.length !== 1 || match === null) {
    // a tag that can never match the current representation is a failed precondition, not malformed input
    throw new DomainError('precondition-failed', 'If-Match must be a single strong ETag such as "3" (as served in ETag)')
  }
  return Number(match[1])
}

/** GET with a matching If-None-Match: the caller's copy is current */
export function notModified (request: FastifyRequest, version: number): boolean {
  const raw = request.headers['if-none-match']
  if (raw === undefined) return false
  const tag = etagOf(version)
  return raw.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === tag || t === '*')
}
