import { iso } from '../time.js'
import type { Ticket } from './ticket.js'

/** the parts of a ticket that are not plain fields: computed at read time (sla), or shaped by the HTTP layer */
const NOT_FIELDS = ['sla', 'slaHistory', 'externalRefs'] as const
const NOT_FIELD_SET: ReadonlySet<string> = new Set(NOT_FIELDS)

/** a value as JSON shows it: dates as ISO text */
type Shown<T> = T extends Date ? string : T

export type TicketFields = { [K in Exclude<keyof Ticket, (typeof NOT_FIELDS)[number]>]-?: Shown<NonNullable<Ticket[K]>> | Extract<Ticket[K], null> }

/**
 * A ticket's own fields as clients see them (dates as ISO text), derived from the Ticket type field by field — the
 * one view the HTTP representation (src/http/presenters/tickets.ts, which adds the computed `sla`, `slaHistory`,
 * `externalRefs` and `email`) and the event snapshot (below) are built from. A new Ticket field shows in both.
 */
export const ticketFields = (t: Ticket): TicketFields => {
  // a plain loop over the own keys (no entries array, no list search): a list page runs this 50 times (issue 15)
  const fields: Record<string, unknown> = {}
  const source = t as unknown as Record<string, unknown>
  for (const k of Object.keys(source)) {
    if (NOT_FIELD_SET.has(k)) continue
    const v = source[k]
    fields[k] = v instanceof Date ? iso(v) : v
  }
  fields.tags = t.tags ?? []
  return fields as TicketFields
}

/** what the event snapshot leaves out of the fields: identity and version (on the event itself) and the closing details (on ticket.closed) */
const NOT_IN_SNAPSHOT = ['id', 'organizationId', 'closedReason', 'closeNote', 'closedAt', 'closedBy', 'createdBy', 'version', 'updatedAt'] as const

/** the ticket's fields as an event records them (`after` / `before`), without the SLA (the caller adds it) */
export const snapshotFields = (t: Ticket): Omit<TicketFields, (typeof NOT_IN_SNAPSHOT)[number]> => {
  const fields: Partial<TicketFields> = ticketFields(t)
  for (const k of NOT_IN_SNAPSHOT) delete fields[k]
  return fields as Omit<TicketFields, (typeof NOT_IN_SNAPSHOT)[number]>
}
