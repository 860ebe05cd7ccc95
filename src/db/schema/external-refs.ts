import { sql } from 'drizzle-orm'
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tickets } from './tickets.js'

/**
 * A ticket's references in integrators' systems (a CRM case, a Jira issue, another helpdesk's ticket). One external id
 * of one system names at most one ticket of an organization — the unique index is what keeps concurrent upserts
 * (PUT /v1/organizations/{organizationId}/external-tickets/{system}/{externalId}) from ever creating two tickets.
 */
export const ticketExternalRefs = pgTable('ticket_external_refs', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  organizationId: uuid('organization_id').notNull(),
  system: text('system').notNull(),
  externalId: text('external_id').notNull(),
  url: text('url'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull()
}, (t) => [
  uniqueIndex('ticket_external_refs_org_system_external_idx').on(t.organizationId, t.system, t.externalId),
  /** staff look a reference up across organizations */
  index('ticket_external_refs_system_external_idx').on(t.system, t.externalId),
  /** a ticket's references, to present them */
  index('ticket_external_refs_ticket_idx').on(t.ticketId)
])
