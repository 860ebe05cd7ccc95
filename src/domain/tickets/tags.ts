/**
 * Ticket tags (pure): free labels the console filters on. Lower-case, 1–50 characters of [a-z0-9._-] starting with a
 * letter or digit, at most 20 per ticket, no duplicates. Kept in the order given.
 */
import { DomainError } from '../errors.js'

export const MAX_TAGS = 20
export const MAX_TAG_LENGTH = 50
export const TAG_PATTERN = '^[a-z0-9][a-z0-9._-]*$'
const TAG = new RegExp(TAG_PATTERN)

export const isValidTag = (tag: string): boolean => tag.length >= 1 && tag.length <= MAX_TAG_LENGTH && TAG.test(tag)

/** the tags as stored; 400 validation-failed for an invalid tag, a duplicate or more than MAX_TAGS */
export function validateTags (tags: readonly string[], path = '/tags'): string[] {
  const errors: Array<{ path: string; message: string }> = []
  tags.forEach((tag, i) => {
    if (!isValidTag(tag)) errors.push({ path: `${path}/${i}`, message: `must be 1–${MAX_TAG_LENGTH} lower-case characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit` })
    else if (tags.indexOf(tag) !== i) errors.push({ path: `${path}/${i}`, message: `duplicate tag ${tag}` })
  })
  if (tags.length > MAX_TAGS) errors.push({ path, message: `at most ${MAX_TAGS} tags` })
  if (errors.length > 0) throw new DomainError('validation-failed', 'The tags are not valid', { errors })
  return [...tags]
}

export const sameTags = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((t, i) => t === b[i])
