/**
 * Reopen requests for tickets closed for lack of response (rules in src/domain/tickets/reopen.ts).
 */
import { actorOf, canAccessOrg, isStaff, requireRole, type Principal } from '../domain/access.js'
import { notFound } from '../domain/errors.js'
import { responseTarget } from '../domain/policy/policy.js'
import { assertCanRequestReopen, decideReopenRequest, reopenTicket, type ReopenDecision, type ReopenRequest, type ReopenStatus } from '../domain/tickets/reopen.js'
import { recordEvent } from '../db/events.js'
import type { DbOrTx } from '../db/client.js'
import * as requests from '../db/repositories/reopen-requests.js'
import { findTicket, updateTicket as saveTicket } from '../db/repositories/tickets.js'
import type { AppContext } from './context.js'
import { loadTicket, recordTicketEvent, slaSnapshot } from './tickets.js'
import { assertSubscriptionFor, checkVersion, found, organizationFor, requireOrganization, staleWrite } from './guards.js'
import { iso } from '../domain/time.js'
import { queueTicketEmail } from './email-outbound.js'
import { scheduleSlaTimers } from './sla-timers.js'
import { pageOf, type Page } from './page.js'

async function loadRequest (db: DbOrTx, p: Principal, id: string, opts: { forUpdate?: boolean } = {}): Promise<ReopenRequest> {
  const r = await requests.findReopenRequest(db, id, opts)
  if (r === undefined || !canAccessOrg(p, r.organizationId)) throw notFound('Reopen request')
  return r
}

async function recordRequestEvent (tx: DbOrTx, p: Principal, r: ReopenRequest, type: string, now: Date, data: Record<string, unknown>): Promise<void> {
  await recordEvent(tx, {
    type, organizationId: r.organizationId, resourceType: 'reopen_request', resourceId: r.id, resourceVersion: r.version,
    ticketId: r.ticketId, actor: actorOf(p), occurredAt: now,
    data: { ticketId: r.ticketId, requestId: r.id, status: r.status, reason: r.reason, ...data }
  })
}

/** by the customer, or by an agent on their behalf */
export async function requestReopen (ctx: AppContext, p: Principal, ticketId: string, input: { reason: string }, expectedVersion: number | undefined): Promise<ReopenRequest> {
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    // the ticket row lock serialises requests for one ticket (the partial unique index is the last line of defence)
    const ticket = await loadTicket(tx, p, ticketId, { forUpdate: true })
    checkVersion('ticket', expectedVersion, ticket.version)
    const pending = await requests.findPendingReopenRequest(tx, ticket.id)
    assertCanRequestReopen(ticket, { pendingRequestId: pending?.id ?? null, now })
    await assertSubscriptionFor(tx, p, 'request-reopen', ticket.organizationId, now)
    const created = await requests.insertReopenRequest(tx, { ticketId: ticket.id, organizationId: ticket.organizationId, reason: input.reason, requestedBy: actorOf(p), now })
    await recordRequestEvent(tx, p, created, 'ticket.reopen_requested', now, {})
    return created
  })
}

export async function decideReopen (ctx: AppContext, p: Principal, requestId: string, decision: ReopenDecision, input: { note?: string | null }, expectedVersion: number | undefined): Promise<ReopenRequest> {
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const current = await loadRequest(tx, p, requestId, { forUpdate: true })
    requireRole(p, 'agent', 'admin')
    checkVersion('reopen request', expectedVersion, current.version)
    const decided = decideReopenRequest(current, { decision, note: input.note, actor: actorOf(p), now })
    // approving starts a new first-response cycle: new support, so it needs a current subscription; denying does not
    await assertSubscriptionFor(tx, p, decision === 'approve' ? 'approve-reopen' : 'deny-reopen', current.organizationId, now)
    const saved = await requests.saveDecision(tx, decided, current.version, now)
    if (saved === undefined) throw staleWrite('reopen request')
    await recordRequestEvent(tx, p, saved, decision === 'approve' ? 'ticket.reopen_approved' : 'ticket.reopen_denied', now, {
      decisionNote: saved.decisionNote, decidedAt: iso(now)
    })
    if (decision === 'approve') {
      const ticket = found(await findTicket(tx, saved.ticketId, { forUpdate: true }), 'Ticket')
      const org = await requireOrganization(tx, ticket.organizationId)
      const calendar = await ctx.calendars.require(responseTarget(org.plan, ticket.severity).calendarId, tx)
      const reopened = reopenTicket(ticket, { plan: org.plan, now, calendar })
      const savedTicket = await saveTicket(tx, reopened, ticket.version, now)
      if (savedTicket === undefined) throw staleWrite('ticket')
      await scheduleSlaTimers(ctx, tx, ticket, savedTicket)
      const previous = savedTicket.slaHistory.at(-1)
      await recordTicketEvent(tx, p, savedTicket, 'ticket.reopened', now, {
        reopenRequestId: saved.id,
        before: { status: ticket.status, closedReason: ticket.closedReason, contactAttempts: ticket.contactAttempts, sla: slaSnapshot(ticket) },
        after: { status: savedTicket.status, contactAttempts: savedTicket.contactAttempts, sla: slaSnapshot(savedTicket) },
        previousCycleResult: previous?.status ?? null
      })
    }
    const ticket = await findTicket(tx, saved.ticketId)
    if (ticket !== undefined) {
      await queueTicketEmail(ctx, tx, ticket, 'reopen_decided', {
        decision: decision === 'approve' ? 'approved' : 'denied', approved: decision === 'approve', decisionNote: saved.decisionNote
      }, now)
    }
    return saved
  })
}

export async function getReopenRequest (ctx: AppContext, p: Principal, id: string): Promise<ReopenRequest> {
  return await loadRequest(ctx.database.db, p, id)
}

/** the agents' queue (`status=pending`); org-scoped tokens see only their organization's requests */
export async function listReopenRequests (ctx: AppContext, p: Principal, filters: { status?: ReopenStatus; organizationId?: string }, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<Page<ReopenRequest>> {
  const organizationId = p.orgId !== null || !isStaff(p) ? organizationFor(p, filters.organizationId) : filters.organizationId
  const rows = await requests.listReopenRequests(ctx.database.db, { status: filters.status, organizationId }, { limit: page.limit + 1, after: page.after })
  return pageOf(rows, page.limit)
}

export async function listTicketReopenRequests (ctx: AppContext, p: Principal, ticketId: string, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<Page<ReopenRequest>> {
  const db = ctx.database.db
  await loadTicket(db, p, ticketId)
  const rows = await requests.listReopenRequests(db, { ticketId }, { limit: page.limit + 1, after: page.after })
  return pageOf(rows, page.limit)
}
