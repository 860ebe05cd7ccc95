import { sql } from 'drizzle-orm'
import { bigint, boolean, customType, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { organizations } from './organizations.js'

/** PostgreSQL's 64-bit transaction id; read as a decimal string */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' })

/**
 * Webhook endpoints (issue 13): a URL that receives the change feed, signed per Standard Webhooks. organization_id
 * null = a global endpoint (every organization, internal events included); otherwise only that organization's
 * public events.
 */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  description: text('description'),
  /** null: every event type */
  eventTypes: text('event_types').array(),
  enabled: boolean('enabled').notNull().default(true),
  /** why the service disabled it (gone, failing); null when enabled or disabled by a caller */
  disabledReason: text('disabled_reason'),
  /** whsec_… (the signing secret); shown once at creation / rotation */
  secret: text('secret').notNull(),
  /** the secret before the last rotation, still signing until previous_secret_expires_at */
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
  /** first failed attempt of the current run of failures (null after a success): 5 days of it disables the endpoint */
  failingSince: timestamp('failing_since', { withTimezone: true, mode: 'date' }),
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
}, (t) => [
  index('webhook_endpoints_created_id_idx').on(t.createdAt, t.id),
  index('webhook_endpoints_org_created_id_idx').on(t.organizationId, t.createdAt, t.id)
])

/**
 * One event to send to one endpoint. The row is also the delivery's job: `next_attempt_at` is when it is due,
 * `locked_until`/`lock_token` the lease of the worker sending it (a delivery is never in flight twice; a lease that
 * expires because its replica died lets another replica send it again).
 */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  endpointId: uuid('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  eventId: bigint('event_id', { mode: 'number' }).notNull(),
  eventType: text('event_type').notNull(),
  /** the webhook-id header: stable for the same event and endpoint (retries and replays), so receivers dedupe */
  messageId: text('message_id').notNull(),
  /** the body: the event exactly as GET /v1/events presents it */
  payload: jsonb('payload').notNull().$type<Record<string, unknown>>(),
  status: text('status', { enum: ['pending', 'succeeded', 'failed'] }).notNull().default('pending'),
  /** attempts in the current schedule (a manual retry starts a new one) */
  scheduleAttempts: integer('schedule_attempts').notNull().default(0),
  attemptCount: integer('attempt_count').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }),
  lockedUntil: timestamp('locked_until', { withTimezone: true, mode: 'date' }),
  lockToken: uuid('lock_token'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull()
}, (t) => [
  index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
  index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt, t.id)
])

/** every attempt of a delivery, for the deliveries API */
export const webhookAttempts = pgTable('webhook_attempts', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  deliveryId: uuid('delivery_id').notNull().references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
  attemptedAt: timestamp('attempted_at', { withTimezone: true, mode: 'date' }).notNull(),
  statusCode: integer('status_code'),
  durationMs: integer('duration_ms').notNull(),
  error: text('error'),
  /** the first 1 KB of the response body */
  responseExcerpt: text('response_excerpt')
}, (t) => [
  index('webhook_attempts_delivery_idx').on(t.deliveryId, t.id)
])

/** the dispatcher's position in the change feed (one row; updated under a transaction-scoped advisory lock) */
export const webhookDispatcher = pgTable('webhook_dispatcher', {
  id: integer('id').primaryKey(),
  txid: xid8('txid').notNull(),
  eventId: bigint('event_id', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull()
})
