/**
 * Who may change which ticket field with PATCH (pure).
 *
 * | field       | customer (own organization)   | agent / admin |
 * |-------------|-------------------------------|---------------|
 * | subject     | yes, while the ticket is not closed | yes (also when closed) |
 * | description | yes, while the ticket is not closed | yes (also when closed) |
 * | category    | no (403 field-not-allowed)    | yes           |
 * | assigneeId  | no (403 field-not-allowed)    | yes           |
 *
 * Status, severity and closing have their own actions (comments, severity-changes, close, reopen requests).
 */
import { DomainError } from '../errors.js'
import { assertNotClosed } from './conversation.js'
import type { Ticket } from './ticket.js'

export const EDITABLE_FIELDS = ['subject', 'description', 'category', 'assigneeId'] as const
export type EditableField = (typeof EDITABLE_FIELDS)[number]
export const CUSTOMER_EDITABLE_FIELDS: readonly EditableField[] = ['subject', 'description']

export interface TicketPatch {
  subject?: string
  description?: string
  category?: string | null
  assigneeId?: string | null
}

export type FieldChanges = Partial<Record<EditableField, { before: string | null; after: string | null }>>

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
    const after = patch[f] as string | null
    const before = ticket[f]
    if (after === before) continue
    changes[f] = { before, after }
    ;(next as unknown as Record<EditableField, string | null>)[f] = after
  }
  return { ticket: next, changes }
}
