import { customType, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/** raw bytes: a replay must send the byte-identical body */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => Buffer.isBuffer(value) ? value : Buffer.from(value)
})

/**
 * Idempotency keys of POST requests (src/http/plugins/idempotency.ts). One row per scope = caller (token subject +
 * organization) + method + route pattern + key. The row is claimed ('in_progress') before the handler runs and
 * completed with the exact response afterwards; it expires after IDEMPOTENCY_TTL_HOURS and is purged.
 */
export const idempotencyKeys = pgTable('idempotency_keys', {
  /** sha256 (hex) of the scope tuple: one short fixed-size primary key however long subject and key are */
  scope: text('scope').primaryKey(),
  idempotencyKey: text('idempotency_key').notNull(),
  subject: text('subject').notNull(),
  /** the token's org_id, or '-' for a token without one */
  organizationScope: text('organization_scope').notNull(),
  method: text('method').notNull(),
  /** the route pattern, e.g. /v1/tickets/:ticketId/comments */
  route: text('route').notNull(),
  /** sha256 of the request (path with query + canonical JSON body) */
  fingerprint: text('fingerprint').notNull(),
  /**
   * in_progress: claimed, nothing committed yet; applied: the request's own transaction committed (marked inside it),
   * response not stored yet; completed: response stored
   */
  state: text('state', { enum: ['in_progress', 'applied', 'completed'] }).notNull(),
  /** identifies the claim that owns the row, so a reclaimed row is never completed by the stale owner */
  claimToken: uuid('claim_token').notNull(),
  statusCode: integer('status_code'),
  responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
  responseBody: bytea('response_body'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  /** when the current claim was taken: an in_progress row older than the stale limit may be reclaimed */
  claimedAt: timestamp('claimed_at', { withTimezone: true, mode: 'date' }).notNull(),
  completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull()
}, (t) => [
  index('idempotency_keys_expires_idx').on(t.expiresAt)
])
