/**
 * SLA timers (issue 12; docs/sla.md "Timers"): `ticket.sla_at_risk` and `ticket.sla_breached` outbox events, exactly
 * once per (ticket, cycle, kind).
 *
 * - Scheduling: every write that starts, moves or stops a first-response clock plans the timers the new state has and
 *   the old one had not (`planSlaTimers`), in its own transaction. Those due within the horizon (a minute) become jobs
 *   of the engine (src/jobs) at once; for the others the ticket keeps only the earliest instant, its timer pointer
 *   (`tickets.sla_timer_at`, set by the insert or lowered with `LEAST` by an update; issue 15: a create writes no job
 *   row). A stopped clock needs nothing: its pending timers re-read the ticket and do nothing.
 * - Sweep: every few seconds one replica's sweep (the engine's periodic task) locks the tickets whose pointer is within
 *   the horizon (`SKIP LOCKED`: replicas share them), hands on every timer of the current state from the pointer to the
 *   horizon as a job, and moves the pointer to the next far timer or clears it, in one transaction (domain:
 *   `sweepTimers`). A timer is thus a job at least a minute before it is due, as when every write sent its jobs.
 * - Firing: the job locks the ticket, decides with domain code (`decideSlaTimer`: stale → nothing, early → wait), and
 *   inserts the (ticket, cycle, kind) notice with its event in one transaction; the notice's primary key makes
 *   duplicates (retries after a kill, two replicas, an overlapping moved timer) write nothing.
 * - Catch-up: pointers and jobs are rows in PostgreSQL, so timers that came due while no worker ran are swept and
 *   fetched when one starts; their events carry the real moment in `data.moment` and `occurredAt` = when noticed.
 */
import { sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/client.js'
import { findTicket, lockTicketsWithTimersDue, lowerSlaTimerPointers, setSlaTimerPointers } from '../db/repositories/tickets.js'
import { recordEvent } from '../db/events.js'
import { businessTimeBetween } from '../domain/sla/calendar.js'
import { decideSlaTimer, SLA_EVENT_TYPES, splitTimers, sweepTimers, timersToSchedule, type SlaTimer, type SlaTimerKind } from '../domain/tickets/sla-timers.js'
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

/** timers due within this much of now are jobs; the later ones wait on their ticket's pointer */
export const SLA_TIMER_HORIZON_MS = 60_000
/** how often a replica running workers sweeps the pointers (well inside the horizon: jobs are queued ahead) */
export const SLA_TIMER_SWEEP_SECONDS = 5
/** tickets per sweep transaction (a sweep runs transactions until fewer are due, or SWEEP_MAX_BATCHES ran) */
const SWEEP_BATCH = 200
/** a run's bound (a catch-up after downtime continues at the next run), so that stopping never waits long for it */
const SWEEP_MAX_BATCHES = 10

export function registerSlaTimers (ctx: AppContext): void {
  // retries: a handler that failed (database hiccup) runs again 1, 2, 4 … s later; a worker killed mid-job has its job
  // back after expireInSeconds
  ctx.jobs.defineQueue({ name: SLA_TIMER_QUEUE, retryLimit: 20, retryDelaySeconds: 1, retryBackoff: true, expireInSeconds: 15 })
  ctx.jobs.work<SlaTimerJob>(SLA_TIMER_QUEUE, async (job) => { await processSlaTimer(ctx, job.data) }, { batchSize: 20, concurrency: 2 })
  ctx.jobs.every('sla-timer-sweep', SLA_TIMER_SWEEP_SECONDS, async () => { await sweepSlaTimers(ctx) })
}

type TimerJob = { data: SlaTimerJob; options: { startAfter: Date } }

const jobOf = (ticketId: string, timer: SlaTimer): TimerJob => ({
  data: { ticketId, cycle: timer.cycle, kind: timer.kind, moment: iso(timer.moment) },
  options: { startAfter: timer.fireAt }
})

export interface SlaTimerPlan {
  /** the timers due within the horizon, as jobs to send in the write's transaction */
  jobs: TimerJob[]
  /** the earliest of the later ones: the ticket's pointer (the insert's value; an update lowers it to this) */
  pointer: Date | null
}

/** what a change from `before` to `after` (before = null for a new ticket) schedules, seen at `now` */
export function planSlaTimers (before: Ticket | null, after: Ticket, now: Date): SlaTimerPlan {
  const split = splitTimers(timersToSchedule(before, after), new Date(now.getTime() + SLA_TIMER_HORIZON_MS))
  return { jobs: split.now.map((timer) => jobOf(after.id, timer)), pointer: split.later }
}

/** sends timer jobs (of one or many tickets) in one statement, in the caller's transaction */
export async function sendSlaTimerJobs (ctx: AppContext, tx: DbOrTx, jobs: TimerJob[]): Promise<void> {
  if (jobs.length === 0) return
  await ctx.jobs.sendMany<SlaTimerJob>(tx, SLA_TIMER_QUEUE, jobs)
}

/**
 * Call in the transaction that updated a ticket from `before` to `after` (a new ticket's plan goes with its insert):
 * the near timers as jobs, the far ones by lowering the pointer. A change that moves no clock writes nothing.
 */
export async function scheduleSlaTimers (ctx: AppContext, tx: DbOrTx, before: Ticket, after: Ticket): Promise<void> {
  await scheduleSlaTimersMany(ctx, tx, [{ id: after.id, plan: planSlaTimers(before, after, ctx.now()) }])
}

/** the same for several updated tickets (the batch upsert): one statement for the jobs, one for the pointers */
export async function scheduleSlaTimersMany (ctx: AppContext, tx: DbOrTx, plans: ReadonlyArray<{ id: string; plan: SlaTimerPlan }>): Promise<void> {
  // one pointer per ticket, the soonest (an UPDATE … FROM would apply only one of two rows naming the same ticket)
  const soonest = new Map<string, Date>()
  for (const { id, plan } of plans) {
    const at = soonest.get(id)
    if (plan.pointer !== null && (at === undefined || plan.pointer.getTime() < at.getTime())) soonest.set(id, plan.pointer)
  }
  const pointers = [...soonest].map(([id, at]) => ({ id, at }))
  await Promise.all([sendSlaTimerJobs(ctx, tx, plans.flatMap(({ plan }) => plan.jobs)), lowerSlaTimerPointers(tx, pointers)])
}

/**
 * One sweep: hands on the timers whose pointer is within the horizon, in transactions of up to SWEEP_BATCH tickets
 * (each: lock, the jobs, the new pointers), until fewer are due or SWEEP_MAX_BATCHES ran (2,000 tickets; the rest
 * goes at the next run, 5 s later). Returns how many tickets it moved on.
 */
export async function sweepSlaTimers (ctx: AppContext): Promise<number> {
  let swept = 0
  for (let batch = 1; ; batch++) {
    const n = await ctx.transaction(async (tx) => {
      const now = ctx.now()
      const horizon = new Date(now.getTime() + SLA_TIMER_HORIZON_MS)
      const due = await lockTicketsWithTimersDue(tx, horizon, SWEEP_BATCH)
      const jobs: TimerJob[] = []
      const pointers: Array<{ id: string; at: Date | null }> = []
      for (const { ticket, slaTimerAt } of due) {
        const next = sweepTimers(ticket, slaTimerAt, horizon)
        jobs.push(...next.now.map((timer) => jobOf(ticket.id, timer)))
        pointers.push({ id: ticket.id, at: next.later })
      }
      await Promise.all([sendSlaTimerJobs(ctx, tx, jobs), setSlaTimerPointers(tx, pointers)])
      return due.length
    })
    swept += n
    if (n < SWEEP_BATCH || batch === SWEEP_MAX_BATCHES) return swept
  }
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
