/**
 * Severity upgrades and downgrades (rules in src/domain/tickets/severity.ts).
 */
import { actorOf, requireRole, type Principal } from '../domain/access.js'
import { responseTarget, type Severity } from '../domain/policy/policy.js'
import { changeSeverity as changeRule, type SeverityChange } from '../domain/tickets/severity.js'
import { slaView } from '../domain/tickets/sla.js'
import { recordEvent } from '../db/events.js'
import * as changes from '../db/repositories/severity-changes.js'
import { updateTicket as saveTicket } from '../db/repositories/tickets.js'
import type { AppContext } from './context.js'
import { loadTicket, viewOf, type TicketView } from './tickets.js'
import { assertSubscriptionFor, checkVersion, found, requireOrganization, staleWrite } from './guards.js'
import { iso } from '../domain/time.js'
import { scheduleSlaTimers } from './sla-timers.js'
import { pageOf, type Page } from './page.js'

const slaJson = (v: SeverityChange['slaBefore']): Record<string, unknown> => ({
  ...v, clockStartedAt: iso(v.clockStartedAt), dueAt: iso(v.dueAt), firstRespondedAt: v.firstRespondedAt?.toISOString() ?? null
})

export async function changeSeverity (ctx: AppContext, p: Principal, ticketId: string, input: { severity: Severity; reason: string }, expectedVersion: number | undefined): Promise<{ change: SeverityChange; ticket: TicketView }> {
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const current = await loadTicket(tx, p, ticketId, { forUpdate: true })
    requireRole(p, 'agent', 'admin')
    checkVersion('ticket', expectedVersion, current.version)
    const org = await requireOrganization(tx, current.organizationId)
    await assertSubscriptionFor(tx, p, 'change-severity', org, now)
    const newCalendar = await ctx.calendars.require(responseTarget(org.plan, input.severity).calendarId, tx)
    const oldCalendar = await ctx.calendars.require(current.sla.calendarId, tx)
    const outcome = changeRule(current, { to: input.severity, plan: org.plan, now, calendar: newCalendar })
    const afterCalendar = outcome.ticket.sla.calendarId === newCalendar.id ? newCalendar : oldCalendar
    const saved = await saveTicket(tx, outcome.ticket, current.version, now)
    if (saved === undefined) throw staleWrite('ticket')
    await scheduleSlaTimers(ctx, tx, current, saved)
    const change = await changes.insertSeverityChange(tx, {
      ticketId: saved.id,
      organizationId: saved.organizationId,
      from: outcome.from,
      to: outcome.to,
      direction: outcome.direction,
      reason: input.reason,
      slaEffect: outcome.slaEffect,
      slaBefore: slaView(current.sla, oldCalendar, now),
      slaAfter: slaView(saved.sla, afterCalendar, now),
      actor: actorOf(p),
      changedAt: now
    })
    await recordEvent(tx, {
      type: 'ticket.severity_changed', organizationId: saved.organizationId, resourceType: 'severity_change', resourceId: change.id,
      resourceVersion: 1, ticketId: saved.id, actor: actorOf(p), occurredAt: now,
      data: {
        ticketId: saved.id,
        ticketVersion: saved.version,
        from: change.from,
        to: change.to,
        direction: change.direction,
        reason: change.reason,
        slaEffect: change.slaEffect,
        slaBefore: slaJson(change.slaBefore),
        slaAfter: slaJson(change.slaAfter)
      }
    })
    return { change, ticket: await viewOf(ctx, saved, now, tx) }
  })
}

export async function listSeverityChanges (ctx: AppContext, p: Principal, ticketId: string, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<Page<SeverityChange>> {
  const db = ctx.database.db
  await loadTicket(db, p, ticketId)
  const rows = await changes.listSeverityChanges(db, ticketId, { limit: page.limit + 1, after: page.after })
  return pageOf(rows, page.limit)
}

export async function getSeverityChange (ctx: AppContext, p: Principal, ticketId: string, changeId: string): Promise<SeverityChange> {
  const db = ctx.database.db
  await loadTicket(db, p, ticketId)
  const change = found(await changes.findSeverityChange(db, ticketId, changeId), 'Severity change')
  return change
}
