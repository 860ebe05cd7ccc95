import { sql } from 'drizzle-orm'
import { bigint, customType, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/** PostgreSQL's 64-bit transaction id; read as a decimal string */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' })

/**
 * The outbox: every change is recorded here in the same transaction as the change itself. It serves the audit
 * trail of a resource, an organization's history and the integrators' change feed.
 */
export const events = pgTable('events', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  /** the writing transaction's id: the change feed only hands out events of transactions below the snapshot xmin */
  txid: xid8('txid').notNull().default(sql`pg_current_xact_id()`),
  type: text('type').notNull(),
  organizationId: uuid('organization_id'),
  resourceType: text('resource_type').notNull(),
  resourceId: uuid('resource_id').notNull(),
  resourceVersion: integer('resource_version'),
  /** ticket the event belongs to (comments, severity changes, reopen requests) for the ticket's audit trail */
  ticketId: uuid('ticket_id'),
  /** 'internal' events (internal comments) are never shown to customers */
  visibility: text('visibility', { enum: ['public', 'internal'] }).notNull().default('public'),
  actorId: text('actor_id').notNull(),
  actorRole: text('actor_role').notNull(),
  occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
  data: jsonb('data').notNull().$type<Record<string, unknown>>()
}, (t) => [
  index('events_feed_idx').on(t.txid, t.id),
  index('events_org_feed_idx').on(t.organizationId, t.txid, t.id),
  index('events_org_history_idx').on(t.organizationId, t.id),
  index('events_resource_idx').on(t.resourceId, t.id),
  index('events_ticket_idx').on(t.ticketId, t.id)
])
