/**
 * Who may change which ticket field with PATCH (pure).
 *
 * | field       | customer (own organization)   | agent / admin |
 * |-------------|-------------------------------|---------------|
 * | subject     | yes, while the ticket is not closed | yes (also when closed) |
 * | description | yes, while the ticket is not closed | yes (also when closed) |
 * | category    | no (403 field-not-allowed)    | yes           |
 * | assigneeId  | no (403 field-not-allowed)    | yes           |
 * | tags        | no (403 field-not-allowed)    | yes           |
 *
 * Status, severity and closing have their own actions (comments, severity-changes, close, reopen requests).
 */
import { DomainError } from '../errors.js'
import { assertNotClosed } from './conversation.js'
import { sameTags, validateTags } from './tags.js'
import type { Ticket } from './ticket.js'

export const EDITABLE_FIELDS = ['subject', 'description', 'category', 'assigneeId', 'tags'] as const
export type EditableField = (typeof EDITABLE_FIELDS)[number]
export const CUSTOMER_EDITABLE_FIELDS: readonly EditableField[] = ['subject', 'description']

export interface TicketPatch {
  subject?: string
  description?: string
  category?: string | null
  assigneeId?: string | null
  /** replaces the ticket's tags (staff only) */
  tags?: string[]
}

type FieldValue = string | null | string[]
export type FieldChanges = Partial<Record<EditableField, { before: FieldValue; after: FieldValue }>>

export function editTicket (ticket: Ticket, patch: TicketPatch, editor: { staff: boolean }): { ticket: Ticket; changes: FieldChanges } {
  const given = EDITABLE_FIELDS.filter((f) => patch[f] !== undefined)
  if (!editor.staff) {
    const refused = given.filter((f) => !CUSTOMER_EDITABLE_FIELDS.includes(f))
    if (refused.length > 0) {
      throw new DomainError('field-not-allowed', `Customers may not change ${refused.join(', ')}`, {
        fields: refused,
        allowedFields: CUSTOMER_EDITABLE_FIELDS
      })
    }
    assertNotClosed(ticket)
  }
  const changes: FieldChanges = {}
  const next: Ticket = { ...ticket }
  for (const f of given) {
    if (f === 'tags') {
      const after = validateTags(patch.tags ?? [])
      const before = ticket.tags ?? []
      if (sameTags(before, after)) continue
      changes.tags = { before, after }
      next.tags = after
      continue
    }
    const after = patch[f] as string | null
    const before = ticket[f]
    if (after === before) continue
    changes[f] = { before, after }
    ;(next as unknown as Record<EditableField, string | null>)[f] = after
  }
  return { ticket: next, changes }
}
