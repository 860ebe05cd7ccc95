import { sql } from 'drizzle-orm'
import { boolean, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { organizations } from './organizations.js'

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })

/** PostgreSQL full-text document (issue 14: ticket search) */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' })

/** the text-search configuration of ticket search (stemming, stop words) */
export const SEARCH_CONFIG = 'english'
/** the `sort=slaDueAt` queue holds only tickets whose first response is still owed: its indexes are partial */
const pending = sql`sla_phase = 'pending'`

/** a finished first-response cycle as stored in tickets.sla_history (ISO strings) */
export interface SlaHistoryRow {
  cycle: number
  plan: string
  priority: string
  targetSeconds: number
  calendarId: string
  clockStartedAt: string
  dueAt: string
  firstRespondedAt: string | null
  status: 'met' | 'breached'
  endedAt: string
}

/**
 * Tickets. Lists are keyset-paginated in (created_at DESC, id DESC) order; every list filter has an index that ends in
 * (created_at, id) so a page is an index range scan of `limit` rows whatever the table size (scanned backwards).
 */
export const tickets = pgTable('tickets', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id),
  subject: text('subject').notNull(),
  description: text('description').notNull(),
  severity: text('severity', { enum: ['urgent', 'high', 'medium', 'low'] }).notNull(),
  priority: text('priority', { enum: ['P1', 'P2', 'P3'] }).notNull(),
  channel: text('channel', { enum: ['portal', 'web_form', 'email', 'video_call', 'phone'] }).notNull(),
  requesterName: text('requester_name').notNull(),
  requesterEmail: text('requester_email').notNull(),
  category: text('category'),
  assigneeId: text('assignee_id'),
  status: text('status', { enum: ['open', 'pending_customer', 'closed'] }).notNull(),
  closedReason: text('closed_reason', { enum: ['resolved', 'out_of_scope', 'no_response'] }),
  closeNote: text('close_note'),
  closedAt: ts('closed_at'),
  closedById: text('closed_by_id'),
  closedByRole: text('closed_by_role'),
  contactAttempts: integer('contact_attempts').notNull().default(0),
  // the current first-response cycle
  slaCycle: integer('sla_cycle').notNull().default(1),
  slaPlan: text('sla_plan', { enum: ['basic', 'enhanced', 'premier'] }).notNull(),
  slaPriority: text('sla_priority', { enum: ['P1', 'P2', 'P3'] }).notNull(),
  slaTargetSeconds: integer('sla_target_seconds').notNull(),
  slaCalendarId: text('sla_calendar_id', { enum: ['business-hours-with-holidays', 'business-hours', 'always'] }).notNull(),
  slaClockStartedAt: ts('sla_clock_started_at').notNull(),
  slaDueAt: ts('sla_due_at').notNull(),
  /** first instant with less than the at-risk fraction left (for the slaStatus filter) */
  slaAtRiskAt: ts('sla_at_risk_at').notNull(),
  firstRespondedAt: ts('first_responded_at'),
  /** pending (first response owed) | met | breached (answered late); kept in step with first_responded_at */
  slaPhase: text('sla_phase', { enum: ['pending', 'met', 'breached'] }).notNull(),
  /** previous cycles (reopened tickets), oldest first */
  slaHistory: jsonb('sla_history').notNull().$type<SlaHistoryRow[]>().default(sql`'[]'::jsonb`),
  /** read copy of the ticket's ticket_external_refs rows (kept in the same transaction; src/db/repositories/external-refs.ts) */
  externalRefs: jsonb('external_refs').notNull().$type<Array<{ system: string; externalId: string; url: string | null }>>().default(sql`'[]'::jsonb`),
  /** when the customer made contact (issue 15): the first cycle's clock start; created_at unless back-dated */
  receivedAt: ts('received_at').notNull(),
  /** lower-case labels (src/domain/tickets/tags.ts) */
  tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
  createdById: text('created_by_id').notNull(),
  createdByRole: text('created_by_role').notNull(),
  version: integer('version').notNull().default(1),
  /**
   * The SLA timer pointer (issue 15, docs/sla.md "Timers"): the earliest instant at which a timer of the ticket is
   * due and not yet a job of the engine; null when every timer has been handed on. The sweep reaches it through the
   * partial index below. Not part of the ticket (never read with it).
   */
  slaTimerAt: ts('sla_timer_at'),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull()
}, (t) => [
  index('tickets_created_idx').on(t.createdAt, t.id),
  index('tickets_org_created_idx').on(t.organizationId, t.createdAt, t.id),
  index('tickets_org_status_created_idx').on(t.organizationId, t.status, t.createdAt, t.id),
  index('tickets_status_created_idx').on(t.status, t.createdAt, t.id),
  index('tickets_severity_created_idx').on(t.severity, t.createdAt, t.id),
  index('tickets_priority_created_idx').on(t.priority, t.createdAt, t.id),
  index('tickets_channel_created_idx').on(t.channel, t.createdAt, t.id),
  index('tickets_assignee_created_idx').on(t.assigneeId, t.createdAt, t.id),
  index('tickets_sla_phase_created_idx').on(t.slaPhase, t.createdAt, t.id),
  // sort=updatedAt (most recently changed first): (filter, updated_at, id); the first also serves updatedAfter
  index('tickets_updated_id_idx').on(t.updatedAt, t.id),
  index('tickets_org_updated_idx').on(t.organizationId, t.updatedAt, t.id),
  index('tickets_status_updated_idx').on(t.status, t.updatedAt, t.id),
  index('tickets_priority_updated_idx').on(t.priority, t.updatedAt, t.id),
  index('tickets_assignee_updated_idx').on(t.assigneeId, t.updatedAt, t.id),
  index('tickets_sla_phase_updated_idx').on(t.slaPhase, t.updatedAt, t.id),
  // sort=slaDueAt (breaches next): only tickets whose first response is owed, soonest deadline first
  index('tickets_due_idx').on(t.slaDueAt, t.id).where(pending),
  index('tickets_org_due_idx').on(t.organizationId, t.slaDueAt, t.id).where(pending),
  index('tickets_status_due_idx').on(t.status, t.slaDueAt, t.id).where(pending),
  index('tickets_priority_due_idx').on(t.priority, t.slaDueAt, t.id).where(pending),
  index('tickets_assignee_due_idx').on(t.assigneeId, t.slaDueAt, t.id).where(pending),
  // tag= (all given tags); q= (full text) searches ticket_search below
  index('tickets_tags_idx').using('gin', t.tags),
  // the SLA timer sweep: tickets whose next timer is not yet a job, soonest first
  index('tickets_sla_timer_idx').on(t.slaTimerAt).where(sql`sla_timer_at is not null`)
])

/**
 * A ticket's full-text search documents (issue 14), kept by the database (triggers of migration 0016): subject (weight
 * A), description (B) and the comments' text (C) — customers' document with public comments only, staff's with every
 * comment. Written when a ticket is inserted, when its subject or description changes (rebuilt whole by the SQL function
 * `ticket_search_documents`, migration 0017) and when a comment is inserted (appended).
 * A table of their own (issue 15): a ticket update that is not about its text (every comment moves the ticket's
 * version and updatedAt on, PATCH sets its fields) neither recomputes nor rewrites the documents and their GIN entries.
 */
export const ticketSearch = pgTable('ticket_search', {
  ticketId: uuid('ticket_id').primaryKey().references(() => tickets.id, { onDelete: 'cascade' }),
  /** what a customer's search matches: subject, description, public comments */
  customer: tsvector('customer').notNull(),
  /** what staff search matches: the same plus internal comments */
  staff: tsvector('staff').notNull()
}, (t) => [
  index('ticket_search_customer_idx').using('gin', t.customer),
  index('ticket_search_staff_idx').using('gin', t.staff)
])

/** the conversation; customers never see `internal` rows */
export const ticketComments = pgTable('ticket_comments', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  organizationId: uuid('organization_id').notNull(),
  body: text('body').notNull(),
  visibility: text('visibility', { enum: ['public', 'internal'] }).notNull(),
  awaitingCustomer: boolean('awaiting_customer').notNull().default(false),
  /** this comment stopped the first-response clock of cycle `sla_cycle` */
  firstResponse: boolean('first_response').notNull().default(false),
  slaCycle: integer('sla_cycle').notNull(),
  authorId: text('author_id').notNull(),
  authorRole: text('author_role').notNull(),
  /** the comment went out or came in by email: message id, delivery outcome or authentication verdict (docs/email.md) */
  email: jsonb('email').$type<Record<string, unknown>>(),
  createdAt: ts('created_at').notNull()
}, (t) => [
  index('ticket_comments_ticket_created_idx').on(t.ticketId, t.createdAt, t.id)
])

/** the history of severity upgrades and downgrades, with the SLA before and after each */
export const severityChanges = pgTable('severity_changes', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  organizationId: uuid('organization_id').notNull(),
  fromSeverity: text('from_severity', { enum: ['urgent', 'high', 'medium', 'low'] }).notNull(),
  toSeverity: text('to_severity', { enum: ['urgent', 'high', 'medium', 'low'] }).notNull(),
  direction: text('direction', { enum: ['upgrade', 'downgrade'] }).notNull(),
  reason: text('reason').notNull(),
  slaEffect: text('sla_effect').notNull(),
  slaBefore: jsonb('sla_before').notNull().$type<Record<string, unknown>>(),
  slaAfter: jsonb('sla_after').notNull().$type<Record<string, unknown>>(),
  actorId: text('actor_id').notNull(),
  actorRole: text('actor_role').notNull(),
  changedAt: ts('changed_at').notNull()
}, (t) => [
  index('severity_changes_ticket_changed_idx').on(t.ticketId, t.changedAt, t.id)
])

export const reopenRequests = pgTable('reopen_requests', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  ticketId: uuid('ticket_id').notNull().references(() => tickets.id),
  organizationId: uuid('organization_id').notNull(),
  status: text('status', { enum: ['pending', 'approved', 'denied'] }).notNull().default('pending'),
  reason: text('reason').notNull(),
  requestedById: text('requested_by_id').notNull(),
  requestedByRole: text('requested_by_role').notNull(),
  decidedAt: ts('decided_at'),
  decidedById: text('decided_by_id'),
  decidedByRole: text('decided_by_role'),
  decisionNote: text('decision_note'),
  version: integer('version').notNull().default(1),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull()
}, (t) => [
  index('reopen_requests_ticket_created_idx').on(t.ticketId, t.createdAt, t.id),
  index('reopen_requests_status_created_idx').on(t.status, t.createdAt, t.id),
  index('reopen_requests_org_status_created_idx').on(t.organizationId, t.status, t.createdAt, t.id),
  /** one pending request per ticket, also under concurrent requests */
  uniqueIndex('reopen_requests_one_pending_idx').on(t.ticketId).where(sql`status = 'pending'`)
])
