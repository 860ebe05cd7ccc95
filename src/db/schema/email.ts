import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { organizations } from './organizations.js'
import { tickets } from './tickets.js'

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

/**
 * An organization's registered email domains (admin-managed). The primary key is what keeps one domain from ever
 * belonging to two organizations, so inbound mail from it has exactly one home. organizations.email_domains is the
 * read copy, kept in the same transaction.
 */
export const organizationEmailDomains = pgTable('organization_email_domains', {
  domain: text('domain').primaryKey(),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id)
}, (t) => [
  index('organization_email_domains_org_idx').on(t.organizationId)
])

/**
 * Every message the service sends (the email outbox): rendered and queued in the transaction of the change that causes
 * it, delivered afterwards with retries (src/application/email-outbound.ts). `message_id` threads replies back.
 */
export const outboundEmails = pgTable('outbound_emails', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').notNull(),
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  /** the comment this message carries (public agent comments and contact attempts) */
  commentId: uuid('comment_id'),
  kind: text('kind', { enum: ['acknowledgement', 'agent_comment', 'contact_attempt', 'closed', 'reopen_decided'] }).notNull(),
  toAddress: text('to_address').notNull(),
  subject: text('subject').notNull(),
  textBody: text('text_body').notNull(),
  htmlBody: text('html_body').notNull(),
  messageId: text('message_id').notNull(),
  inReplyTo: text('in_reply_to'),
  /** queued → sent | failed (permanent, or temporary failures until retries ran out); the email-delivery job sends it */
  status: text('status', { enum: ['queued', 'sent', 'failed'] }).notNull(),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  createdAt: ts('created_at').notNull(),
  sentAt: ts('sent_at')
}, (t) => [
  uniqueIndex('outbound_emails_message_id_idx').on(t.messageId),
  index('outbound_emails_ticket_idx').on(t.ticketId, t.createdAt)
])

/**
 * Every message received (SMTP listener or POST /v1/inbound-email) and what became of it. Quarantined messages keep
 * their raw source (base64) until an agent releases or discards them. One Message-ID is processed once.
 */
export const inboundEmails = pgTable('inbound_emails', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  messageId: text('message_id'),
  fromAddress: text('from_address').notNull(),
  subject: text('subject').notNull(),
  /** commented | opened_ticket | ignored | quarantined | released | discarded */
  outcome: text('outcome').notNull(),
  reason: text('reason'),
  verdict: jsonb('verdict').notNull().$type<Record<string, unknown>>(),
  organizationId: uuid('organization_id'),
  ticketId: uuid('ticket_id'),
  commentId: uuid('comment_id'),
  raw: text('raw'),
  sizeBytes: integer('size_bytes').notNull(),
  receivedAt: ts('received_at').notNull(),
  decidedAt: ts('decided_at'),
  decidedById: text('decided_by_id')
}, (t) => [
  uniqueIndex('inbound_emails_message_id_idx').on(t.messageId),
  index('inbound_emails_outcome_received_idx').on(t.outcome, t.receivedAt, t.id)
])
