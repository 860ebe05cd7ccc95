/**
 * SLA timers (issue 12; docs/sla.md "Timers"): `ticket.sla_at_risk` and `ticket.sla_breached` outbox events, exactly
 * once per (ticket, cycle, kind).
 *
 * - Scheduling: every write that starts, moves or stops a first-response clock calls `scheduleSlaTimers(ctx, tx,
 *   before, after)` in its own transaction; it sends a durable job (src/jobs) for each moment the new state has and
 *   the old one had not. A stopped clock needs nothing: its pending jobs re-read the ticket and do nothing.
 * - Firing: the job locks the ticket, decides with domain code (`decideSlaTimer`: stale → nothing, early → wait), and
 *   inserts the (ticket, cycle, kind) notice with its event in one transaction; the notice's primary key makes
 *   duplicates (retries after a kill, two replicas, an overlapping moved timer) write nothing.
 * - Catch-up: jobs are rows in PostgreSQL, so jobs that came due while no worker ran are fetched when one starts; their
 *   events carry the real moment in `data.moment` and `occurredAt` = when noticed.
 */
import { sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { findTicket } from '../db/repositories/tickets.js'
import { recordEvent } from '../db/events.js'
import { businessTimeBetween } from '../domain/sla/calendar.js'
import { decideSlaTimer, SLA_EVENT_TYPES, timersToSchedule, type SlaTimerKind } from '../domain/tickets/sla-timers.js'
import type { Ticket } from '../domain/tickets/ticket.js'
import { iso } from '../domain/time.js'
import type { AppContext } from './context.js'

export const SLA_TIMER_QUEUE = 'sla-timers'

export interface SlaTimerJob {
  ticketId: string
  cycle: number
  kind: SlaTimerKind
  /** ISO instant: the moment the timer was set for (atRiskAt / dueAt) */
  moment: string
}

export const SLA_TIMER_ACTOR = { id: 'sla-timer', role: 'system' } as const

export function registerSlaTimers (ctx: AppContext): void {
  // retries: a handler that failed (database hiccup) runs again 1, 2, 4 … s later; a worker killed mid-job has its job
  // back after expireInSeconds
  ctx.jobs.defineQueue({ name: SLA_TIMER_QUEUE, retryLimit: 20, retryDelaySeconds: 1, retryBackoff: true, expireInSeconds: 15 })
  ctx.jobs.work<SlaTimerJob>(SLA_TIMER_QUEUE, async (job) => { await processSlaTimer(ctx, job.data) }, { batchSize: 20, concurrency: 2 })
}

/** the timer jobs a change from `before` to `after` needs (before = null for a new ticket) */
export const slaTimerJobs = (before: Ticket | null, after: Ticket): Array<{ data: SlaTimerJob; options: { startAfter: Date } }> =>
  timersToSchedule(before, after).map((timer) => ({
    data: { ticketId: after.id, cycle: timer.cycle, kind: timer.kind, moment: iso(timer.moment) },
    options: { startAfter: timer.fireAt }
  }))

/** sends timer jobs (of one or many tickets) in one statement, in the caller's transaction */
export async function sendSlaTimerJobs (ctx: AppContext, tx: DbOrTx, jobs: Array<{ data: SlaTimerJob; options: { startAfter: Date } }>): Promise<void> {
  if (jobs.length === 0) return
  await ctx.jobs.sendMany<SlaTimerJob>(tx, SLA_TIMER_QUEUE, jobs)
}

/** call in the transaction that wrote `after` (before = the row as it was; null for a new ticket) */
export async function scheduleSlaTimers (ctx: AppContext, tx: DbOrTx, before: Ticket | null, after: Ticket): Promise<void> {
  await sendSlaTimerJobs(ctx, tx, slaTimerJobs(before, after))
}

/** the job: re-read, decide, write the notice and its event once */
export async function processSlaTimer (ctx: AppContext, job: SlaTimerJob): Promise<void> {
  await ctx.transaction(async (tx) => {
    const ticket = await findTicket(tx, job.ticketId, { forUpdate: true })
    if (ticket === undefined) return
    // read after the lock: a first response that committed before it is seen
    const now = ctx.now()
    const decision = decideSlaTimer(ticket, { cycle: job.cycle, kind: job.kind, moment: new Date(job.moment) }, now)
    if (decision.action === 'stale') return
    if (decision.action === 'wait') {
      await ctx.jobs.send(tx, SLA_TIMER_QUEUE, job, { startAfter: decision.until })
      return
    }
    // a breach implies the at-risk moment passed too: write it first when it is missing (catch-up, in order)
    if (job.kind === 'breached') await notify(ctx, tx, ticket, 'at_risk', iso(ticket.sla.atRiskAt), now)
    await notify(ctx, tx, ticket, job.kind, job.moment, now)
  })
}

/** writes the (ticket, cycle, kind) notice and its event, or nothing when it exists already */
async function notify (ctx: AppContext, tx: DbOrTx, ticket: Ticket, kind: SlaTimerKind, moment: string, now: Date): Promise<void> {
  const c = ticket.sla
  const inserted = await ctx.database.rows(sql`
    INSERT INTO sla_notices (ticket_id, cycle, kind, moment, noticed_at)
    VALUES (${ticket.id}, ${c.cycle}, ${kind}, ${moment}::timestamptz, ${iso(now)}::timestamptz)
    ON CONFLICT DO NOTHING RETURNING ticket_id`, tx)
  if (inserted.length === 0) return
  const data: Record<string, unknown> = {
    ticketId: ticket.id,
    cycle: c.cycle,
    plan: c.plan,
    priority: c.priority,
    calendarId: c.calendarId,
    targetSeconds: c.targetSeconds,
    clockStartedAt: iso(c.clockStartedAt),
    dueAt: iso(c.dueAt),
    moment
  }
  if (kind === 'at_risk') {
    const calendar = await ctx.calendars.require(c.calendarId, tx)
    data.atRiskAt = iso(c.atRiskAt)
    // business time left at the moment (just under the at-risk share of the target)
    data.remainingBusinessSeconds = businessTimeBetween(c.atRiskAt, c.dueAt, calendar)
  }
  await recordEvent(tx, {
    type: SLA_EVENT_TYPES[kind],
    organizationId: ticket.organizationId,
    resourceType: 'ticket',
    resourceId: ticket.id,
    resourceVersion: ticket.version,
    ticketId: ticket.id,
    visibility: 'public',
    actor: SLA_TIMER_ACTOR,
    occurredAt: now,
    data
  })
}
