import { randomUUID } from 'node:crypto'
/**
 * Ticket use cases: one transaction each — load (locking the row for writes), decide with domain code, persist with a
 * version-checked update, and write the outbox event in the same transaction.
 */
import { actorOf, canAccessOrg, isStaff, requireRole, type Principal } from '../domain/access.js'
import { notFound } from '../domain/errors.js'
import { responseTarget, type Channel, type Severity } from '../domain/policy/policy.js'
import { closeTicket as closeRule, type CloseInput } from '../domain/tickets/closing.js'
import { editTicket, type TicketPatch } from '../domain/tickets/editing.js'
import { assertReceivedAt, openTicket, ticketFromDraft } from '../domain/tickets/opening.js'
import { slaPhase, slaView, type SlaView } from '../domain/tickets/sla.js'
import { snapshotFields } from '../domain/tickets/view.js'
import type { ClosedReason, Requester, Ticket } from '../domain/tickets/ticket.js'
import type { Organization } from '../domain/organizations/organization.js'
import type { BusinessCalendar } from '../domain/sla/calendar.js'
import type { DbOrTx } from '../db/client.js'
import { recordEvent, type NewEvent } from '../db/events.js'
import { findOrganization } from '../db/repositories/organizations.js'
import * as repo from '../db/repositories/tickets.js'
import type { AppContext } from './context.js'
import { recordArticleLinks } from './kb-access.js'
import { assertSubscriptionFor, checkVersion, organizationFor, staleWrite } from './guards.js'
import { iso, isoOrNull } from '../domain/time.js'
import { closedReasonText, outboundOn, queueTicketEmail } from './email-outbound.js'
import { attachUploads } from './attachments.js'
import { planSlaTimers, scheduleSlaTimers, sendSlaTimerJobs } from './sla-timers.js'
import type { Page } from './page.js'

/** a ticket with its `sla` object computed at read time */
export interface TicketView {
  ticket: Ticket
  sla: SlaView
  /** the email channel for this ticket: whether the requester is emailed, and the signed reply address */
  email?: { enabled: boolean; replyAddress: string | null }
}

export const emailInfo = (ctx: AppContext, ticket: Ticket): TicketView['email'] => ({
  enabled: outboundOn(ctx),
  replyAddress: ctx.email === undefined ? null : ctx.email.replyAddressFor(ticket.id)
})

export async function viewOf (ctx: AppContext, ticket: Ticket, now: Date, on?: DbOrTx): Promise<TicketView> {
  const calendar = await ctx.calendars.require(ticket.sla.calendarId, on)
  return { ticket, sla: slaView(ticket.sla, calendar, now), email: emailInfo(ctx, ticket) }
}

/** the ticket if it exists and the caller may see it; another organization's ticket is 404, never 403 */
export async function loadTicket (db: DbOrTx, p: Principal, id: string, opts: { forUpdate?: boolean } = {}): Promise<Ticket> {
  const ticket = await repo.findTicket(db, id, opts)
  if (ticket === undefined || !canAccessOrg(p, ticket.organizationId)) throw notFound('Ticket')
  return ticket
}

export const slaSnapshot = (t: Ticket): Record<string, unknown> => ({
  cycle: t.sla.cycle,
  plan: t.sla.plan,
  priority: t.sla.priority,
  targetSeconds: t.sla.targetSeconds,
  calendarId: t.sla.calendarId,
  clockStartedAt: iso(t.sla.clockStartedAt),
  dueAt: iso(t.sla.dueAt),
  firstRespondedAt: isoOrNull(t.sla.firstRespondedAt),
  phase: slaPhase(t.sla)
})

export const ticketSnapshot = (t: Ticket): Record<string, unknown> => ({ ...snapshotFields(t), sla: slaSnapshot(t) })

/** writes a ticket-level event (resource = the ticket, at its new version) */
export async function recordTicketEvent (tx: DbOrTx, p: Principal, t: Ticket, type: string, now: Date, data: Record<string, unknown>): Promise<void> {
  await recordEvent(tx, ticketEvent(p, t, type, now, data))
}

/** a ticket-level event (resource = the ticket, at its version) */
export const ticketEvent = (p: Principal, t: Ticket, type: string, now: Date, data: Record<string, unknown>): NewEvent => ({
  type, organizationId: t.organizationId, resourceType: 'ticket', resourceId: t.id, resourceVersion: t.version,
  ticketId: t.id, actor: actorOf(p), occurredAt: now, data: { ticketId: t.id, ...data }
})

/**
 * Stores a ticket's next state, version-checked against `current` (whose row the caller locked, so the update stores
 * exactly `next` at the next version), with the statements that only need that state — its SLA timers and its events —
 * sent together in one round trip (issue 15).
 */
export async function saveTicket (ctx: AppContext, tx: DbOrTx, current: Ticket, next: Ticket, now: Date, events: (saved: Ticket) => NewEvent[]): Promise<Ticket> {
  const saved: Ticket = { ...next, version: current.version + 1, updatedAt: now }
  const [stored] = await Promise.all([
    repo.updateTicket(tx, next, current.version, now),
    scheduleSlaTimers(ctx, tx, current, saved),
    ...events(saved).map(async (e) => { await recordEvent(tx, e) })
  ])
  if (stored === undefined) throw staleWrite('ticket')
  return stored
}

export interface CreateTicketInput {
  organizationId?: string
  subject: string
  description: string
  severity: Severity
  channel: Channel
  requester: Requester
  category?: string | null
  /** when the customer really made contact (staff and integrators only; issue 15); absent: now */
  receivedAt?: Date
  tags?: string[]
  /** knowledge-base articles suggested before the ticket was submitted (recorded as links; src/application/kb-access.ts) */
  suggestedArticleIds?: string[]
  /** uploads to attach (issue 19) */
  attachmentIds?: readonly string[]
}

/**
 * Decides a new ticket without writing it: the opening rules (current subscription, channel in plan, receivedAt bounds)
 * against the loaded organization, the first-response clock, and the id it will be stored under.
 */
export async function openNewTicket (ctx: AppContext, tx: DbOrTx, p: Principal, org: Organization, input: Omit<CreateTicketInput, 'organizationId'>, now: Date): Promise<{ ticket: Ticket; calendar: BusinessCalendar }> {
  const calendar = await ctx.calendars.require(responseTarget(org.plan, input.severity).calendarId, tx)
  if (input.receivedAt !== undefined) assertReceivedAt(input.receivedAt, now, (ctx.receivedAtMaxAgeDays ?? 30) * 86_400, isStaff(p) ? 'staff' : 'customer')
  const draft = openTicket({
    organization: org,
    subject: input.subject,
    description: input.description,
    severity: input.severity,
    channel: input.channel,
    requester: input.requester,
    category: input.category ?? null,
    tags: input.tags,
    createdBy: actorOf(p),
    calendar,
    now,
    receivedAt: input.receivedAt
  })
  return { ticket: ticketFromDraft(draft, randomUUID()), calendar }
}

/**
 * Opens a ticket inside the caller's transaction: loads the organization, applies the opening rules (current
 * subscription, channel in plan), starts the first-response clock and inserts the row. The caller records the event.
 */
export async function insertNewTicket (
  ctx: AppContext, tx: DbOrTx, p: Principal, organizationId: string, input: Omit<CreateTicketInput, 'organizationId'>, now: Date,
  /** the new ticket's outbox event, written by the insert's own statement (issue 15) */
  created: (ticket: Ticket) => NewEvent
): Promise<{ ticket: Ticket; calendar: BusinessCalendar }> {
  const org = await findOrganization(tx, organizationId)
  if (org === undefined) throw notFound('Organization')
  const { ticket: opened, calendar } = await openNewTicket(ctx, tx, p, org, input, now)
  // the id is chosen before the insert, so the ticket's timers and event go out in the same write (issue 15); far-off
  // timers are only the insert's pointer, near ones (a back-dated ticket) jobs
  const timers = planSlaTimers(null, opened, now)
  const [ticket] = await Promise.all([repo.insertTicket(tx, opened, timers.pointer, created(opened)), sendSlaTimerJobs(ctx, tx, timers.jobs)])
  return { ticket, calendar }
}

export async function createTicket (ctx: AppContext, p: Principal, input: CreateTicketInput): Promise<TicketView> {
  const organizationId = organizationFor(p, input.organizationId)
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const { ticket, calendar } = await insertNewTicket(ctx, tx, p, organizationId, input, now,
      (opened) => ticketEvent(p, opened, 'ticket.created', now, { after: ticketSnapshot(opened) }))
    await attachUploads(ctx, tx, p, input.attachmentIds, { organizationId, ticketId: ticket.id, commentId: null, visibility: 'public', now })
    await recordArticleLinks(ctx, tx, p, { kind: 'suggested', articleIds: input.suggestedArticleIds ?? [], ticketId: ticket.id, commentId: null, organizationId: ticket.organizationId, now })
    await queueTicketEmail(ctx, tx, ticket, 'acknowledgement', {}, now)
    return { ticket, sla: slaView(ticket.sla, calendar, now), email: emailInfo(ctx, ticket) }
  })
}

export async function getTicket (ctx: AppContext, p: Principal, id: string): Promise<TicketView> {
  const ticket = await loadTicket(ctx.database.db, p, id)
  return await viewOf(ctx, ticket, ctx.now())
}

export type ListTicketFilters = repo.TicketFilters

/**
 * What the caller may list: a scoped token (customers) only its organization; `q` searches internal comments only for
 * agents and admins, who may read them (a customer's search never matches an internal comment).
 */
function scopedFilters (p: Principal, filters: ListTicketFilters): ListTicketFilters {
  const scoped: ListTicketFilters = p.orgId !== null || !isStaff(p) ? { ...filters, organizationId: organizationFor(p, filters.organizationId) } : { ...filters }
  if (filters.q !== undefined) scoped.searchScope = isStaff(p) ? 'staff' : 'customer'
  else delete scoped.searchScope
  return scoped
}

export async function listTickets (ctx: AppContext, p: Principal, filters: ListTicketFilters, page: { limit: number; after?: repo.KeysetPosition; sort?: repo.TicketSort }): Promise<Page<TicketView>> {
  const scoped = scopedFilters(p, filters)
  const now = ctx.now()
  const rows = await repo.listTickets(ctx.database.db, scoped, { limit: page.limit + 1, after: page.after, now, sort: page.sort })
  const items = await Promise.all(rows.slice(0, page.limit).map(async (t) => await viewOf(ctx, t, now)))
  return { items, hasMore: rows.length > page.limit }
}

export interface TicketCounts { groups: Array<{ key: string | null; count: number }>; total: number }

/** how many tickets the list with these filters holds, per value of `groupBy`; largest groups first, then by key */
export async function countTickets (ctx: AppContext, p: Principal, filters: ListTicketFilters, groupBy: repo.CountGroup): Promise<TicketCounts> {
  const groups = await repo.countTickets(ctx.database.db, scopedFilters(p, filters), groupBy, ctx.now())
  groups.sort((a, b) => b.count - a.count || (a.key ?? '').localeCompare(b.key ?? ''))
  return { groups, total: groups.reduce((n, g) => n + g.count, 0) }
}

export async function updateTicket (ctx: AppContext, p: Principal, id: string, patch: TicketPatch, expectedVersion: number | undefined): Promise<TicketView> {
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const current = await loadTicket(tx, p, id, { forUpdate: true })
    checkVersion('ticket', expectedVersion, current.version)
    await assertSubscriptionFor(tx, p, 'edit', current.organizationId, now)
    const { ticket: next, changes } = editTicket(current, patch, { staff: isStaff(p) })
    const fields = Object.keys(changes)
    if (fields.length === 0) return await viewOf(ctx, current, now, tx)
    const before: Record<string, unknown> = {}
    const after: Record<string, unknown> = {}
    for (const [f, c] of Object.entries(changes)) { before[f] = c.before; after[f] = c.after }
    const saved = await saveTicket(ctx, tx, current, next, now, (t) => [ticketEvent(p, t, 'ticket.updated', now, { changedFields: fields, before, after })])
    return await viewOf(ctx, saved, now, tx)
  })
}

export async function closeTicket (ctx: AppContext, p: Principal, id: string, input: { reason: ClosedReason; note?: string | null }, expectedVersion: number | undefined): Promise<TicketView> {
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const current = await loadTicket(tx, p, id, { forUpdate: true })
    requireRole(p, 'agent', 'admin')
    checkVersion('ticket', expectedVersion, current.version)
    await assertSubscriptionFor(tx, p, 'close', current.organizationId, now)
    const closeInput: CloseInput = { reason: input.reason, note: input.note, actor: actorOf(p) }
    const next = closeRule(current, closeInput, now)
    const saved = await saveTicket(ctx, tx, current, next, now, (t) => [ticketEvent(p, t, 'ticket.closed', now, {
      before: { status: current.status, contactAttempts: current.contactAttempts },
      after: { status: t.status, closedReason: t.closedReason, closeNote: t.closeNote, closedAt: isoOrNull(t.closedAt) },
      firstResponseByClosing: current.sla.firstRespondedAt === null
    })])
    await queueTicketEmail(ctx, tx, saved, 'closed', {
      closedReasonText: closedReasonText(saved.closedReason), closeNote: saved.closeNote, noResponse: saved.closedReason === 'no_response'
    }, now)
    return await viewOf(ctx, saved, now, tx)
  })
}
