import { iso, isoOrNull } from '../time.js'
import type { Ticket } from './ticket.js'

/**
 * A ticket's own fields as clients see them (JSON: dates as ISO text): the one list the HTTP representation
 * (src/http/presenters/tickets.ts, which adds the computed `sla`, `slaHistory`, `externalRefs` and `email`) and the
 * event snapshot (src/application/tickets.ts) are built from.
 */
export const ticketFields = (t: Ticket) => ({
  id: t.id,
  organizationId: t.organizationId,
  subject: t.subject,
  description: t.description,
  severity: t.severity,
  priority: t.priority,
  channel: t.channel,
  requester: { name: t.requester.name, email: t.requester.email },
  category: t.category,
  assigneeId: t.assigneeId,
  status: t.status,
  closedReason: t.closedReason,
  closeNote: t.closeNote,
  closedAt: isoOrNull(t.closedAt),
  closedBy: t.closedBy,
  contactAttempts: t.contactAttempts,
  tags: t.tags ?? [],
  createdBy: t.createdBy,
  receivedAt: iso(t.receivedAt),
  version: t.version,
  createdAt: iso(t.createdAt),
  updatedAt: iso(t.updatedAt)
})

export type TicketFields = ReturnType<typeof ticketFields>

/** what the event snapshot leaves out of the fields: identity and version (on the event itself) and the closing details (on ticket.closed) */
const NOT_IN_SNAPSHOT = ['id', 'organizationId', 'closedReason', 'closeNote', 'closedAt', 'closedBy', 'createdBy', 'version', 'updatedAt'] as const

/** the ticket's fields as an event records them (`after` / `before`), without the SLA (added by the caller) */
export const snapshotFields = (t: Ticket): Omit<TicketFields, (typeof NOT_IN_SNAPSHOT)[number]> => {
  const fields: Partial<TicketFields> = ticketFields(t)
  for (const k of NOT_IN_SNAPSHOT) delete fields[k]
  return fields as Omit<TicketFields, (typeof NOT_IN_SNAPSHOT)[number]>
}
