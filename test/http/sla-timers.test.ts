import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildTestApp, type TestApp } from '../helpers/app.js'
import { comment, contactAttempts, events, getTicket, MON_0900, openTicket } from './tickets-helpers.js'
import { createJobEngine } from '../../src/jobs/engine.js'
import { CalendarStore } from '../../src/application/calendar-store.js'
import { registerJobHandlers } from '../../src/application/jobs.js'
import { transactionOn, type AppContext } from '../../src/application/context.js'
import { sweepSlaTimers } from '../../src/application/sla-timers.js'

// one app (with a real pg-boss in manual mode on the TestClock) for the whole file: pg-boss installs in ~5 s
let h: TestApp
let agent: string
let cust: string
let orgId: string

const at = (iso: string, deltaMs = 0): Date => new Date(new Date(iso).getTime() + deltaMs)
const slaEvents = async (ticketId: string, token = agent): Promise<Array<Record<string, any>>> =>
  (await events(h, token, ticketId)).filter((e) => String(e.type).startsWith('ticket.sla_'))
const runAt = async (when: Date): Promise<void> => { h.clock.set(when); await h.runDueJobs() }

t.before(async () => {
  h = await buildTestApp(t, { jobs: true })
  h.clock.set(MON_0900)
  const org = await h.createOrg('enhanced')
  orgId = org.id
  agent = await h.agentToken()
  cust = await h.customerToken(orgId)
})

t.test('at risk and breached at their moments, not before; reads and the slaStatus filter agree; customers see them', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust) // Enhanced high = P2, 6 business hours: due Monday 15:00 PDT
  t.equal(tk.sla.dueAt, '2026-03-09T22:00:00.000Z')
  // at risk when less than 25 % (1.5 h) is left: from 13:30:00.001 PDT
  await runAt(at('2026-03-09T20:30:00.000Z'))
  t.same(await slaEvents(tk.id), [], 'nothing before the at-risk moment')
  await runAt(at('2026-03-09T20:30:00.001Z'))
  const first = await slaEvents(tk.id)
  t.equal(first.length, 1)
  const risk = first[0] as Record<string, any>
  t.match(risk, {
    type: 'ticket.sla_at_risk',
    occurredAt: '2026-03-09T20:30:00.001Z',
    actor: { id: 'sla-timer', role: 'system' },
    visibility: 'public',
    data: { ticketId: tk.id, cycle: 1, plan: 'enhanced', priority: 'P2', calendarId: 'business-hours', targetSeconds: 21600, dueAt: '2026-03-09T22:00:00.000Z', moment: '2026-03-09T20:30:00.001Z', atRiskAt: '2026-03-09T20:30:00.001Z' }
  })
  t.ok(risk.data.remainingBusinessSeconds < 5400 && risk.data.remainingBusinessSeconds > 5399, 'just under 25 % of the target left')
  t.equal((await getTicket(h, agent, tk.id)).sla.status, 'at_risk')

  await runAt(at('2026-03-09T22:00:00.000Z'))
  t.equal((await slaEvents(tk.id)).length, 1, 'at dueAt itself the ticket is at risk, not breached')
  await runAt(at('2026-03-09T22:00:00.001Z'))
  const all = await slaEvents(tk.id)
  t.same(all.map((e) => e.type), ['ticket.sla_at_risk', 'ticket.sla_breached'])
  t.match(all[1], { occurredAt: '2026-03-09T22:00:00.001Z', data: { cycle: 1, dueAt: '2026-03-09T22:00:00.000Z', moment: '2026-03-09T22:00:00.000Z' } })
  t.equal((await getTicket(h, agent, tk.id)).sla.status, 'breached', 'after the event every read says breached')
  const listed = await h.request(agent, { method: 'GET', url: `/v1/tickets?organizationId=${orgId}&slaStatus=breached&limit=100` })
  t.ok(listed.json().items.some((x: { id: string }) => x.id === tk.id), 'slaStatus=breached finds it')
  t.same((await slaEvents(tk.id, cust)).map((e) => e.type), ['ticket.sla_at_risk', 'ticket.sla_breached'], 'the customer sees them on their ticket')
  const feed = await h.request(agent, { method: 'GET', url: '/v1/events?limit=100' })
  t.ok(feed.json().items.some((e: Record<string, any>) => e.type === 'ticket.sla_breached' && e.data.ticketId === tk.id), 'in the change feed')

  await runAt(at('2026-03-12T22:00:00.000Z'))
  t.equal((await slaEvents(tk.id)).length, 2, 'each once, later runs add nothing')
})

t.test('an answered ticket never gets the events', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust)
  h.clock.set(at(MON_0900, 3_600_000))
  await comment(h, agent, tk.id, { body: 'Looking into it now.', visibility: 'public' })
  await runAt(at('2026-03-13T00:00:00Z'))
  t.same(await slaEvents(tk.id), [], 'no at-risk, no breach')
  t.equal((await getTicket(h, agent, tk.id)).sla.status, 'met')
})

t.test('a severity upgrade reschedules both moments; the old ones fire nothing', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust, { severity: 'low' }) // P3, 24 business hours: due Wednesday 09:00 PDT
  h.clock.set(at(MON_0900, 30 * 60_000))
  const res = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/severity-changes`, payload: { severity: 'urgent', reason: 'production down' } })
  t.equal(res.statusCode, 201)
  // P1: 1 business hour from 09:30 → due 10:30 PDT, at risk from 10:15:00.001
  const after = await getTicket(h, agent, tk.id)
  t.equal(after.sla.dueAt, '2026-03-09T17:30:00.000Z')
  await runAt(at('2026-03-09T17:15:00.000Z'))
  t.same(await slaEvents(tk.id), [])
  await runAt(at('2026-03-09T17:15:00.001Z'))
  t.same((await slaEvents(tk.id)).map((e) => [e.type, e.data.priority, e.occurredAt]), [['ticket.sla_at_risk', 'P1', '2026-03-09T17:15:00.001Z']])
  await runAt(at('2026-03-09T17:30:00.001Z'))
  await runAt(at('2026-03-12T00:00:00Z')) // past the old P3 moments
  t.same((await slaEvents(tk.id)).map((e) => [e.type, e.data.dueAt]), [
    ['ticket.sla_at_risk', '2026-03-09T17:30:00.000Z'],
    ['ticket.sla_breached', '2026-03-09T17:30:00.000Z']
  ], 'the moved deadline fires at the new moment, once')
})

t.test('a reopened ticket gets its own pair for the new cycle', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust)
  await contactAttempts(h, agent, tk.id, 3) // first response at 09:00: cycle 1 met
  h.clock.set(at(MON_0900, 3_600_000))
  t.equal((await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, payload: { reason: 'no_response' } })).statusCode, 200)
  h.clock.set(at(MON_0900, 2 * 3_600_000)) // Monday 11:00 PDT
  const req = await h.request(cust, { method: 'POST', url: `/v1/tickets/${tk.id}/reopen-requests`, payload: { reason: 'I was on leave; still broken' } })
  t.equal(req.statusCode, 201)
  t.equal((await h.request(agent, { method: 'POST', url: `/v1/reopen-requests/${req.json().id}/approve`, payload: {} })).statusCode, 200)
  const reopened = await getTicket(h, agent, tk.id)
  t.equal(reopened.sla.cycle, 2)
  t.equal(reopened.sla.dueAt, '2026-03-10T00:00:00.000Z', 'P2 from 11:00 PDT: 17:00 PDT')
  await runAt(at('2026-03-10T02:00:00Z'))
  t.same((await slaEvents(tk.id)).map((e) => [e.type, e.data.cycle]), [['ticket.sla_at_risk', 2], ['ticket.sla_breached', 2]])
})

// issue 15: far-off timers wait on the ticket (its pointer) instead of being job rows from the create on
const timerJobs = async (ticketId: string): Promise<string[]> => (await h.database.rows<{ kind: string }>(sql`
  SELECT data->>'kind' AS kind FROM pgboss.job WHERE name = 'sla-timers' AND data->>'ticketId' = ${ticketId} ORDER BY start_after`)).map((r) => r.kind)
const pointer = async (ticketId: string): Promise<string | null> => {
  const [row] = await h.database.rows<{ at: string | null }>(sql`SELECT to_char(sla_timer_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM tickets WHERE id = ${ticketId}::uuid`)
  return row?.at ?? null
}

t.test('a create writes no timer job: the ticket keeps its first timer instant, and the sweep makes each timer a job a minute ahead', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust) // at risk 20:30:00.001Z, breached 22:00:00.001Z
  t.same(await timerJobs(tk.id), [], 'no job row for timers hours away')
  t.equal(await pointer(tk.id), '2026-03-09T20:30:00.001Z', 'the pointer: the at-risk instant')
  await runAt(at('2026-03-09T20:29:00.000Z')) // 60.001 s before: beyond the horizon
  t.same(await timerJobs(tk.id), [])
  await runAt(at('2026-03-09T20:29:00.001Z')) // exactly a minute before
  t.same(await timerJobs(tk.id), ['at_risk'], 'the at-risk timer is a job a minute ahead')
  t.equal(await pointer(tk.id), '2026-03-09T22:00:00.001Z', 'the pointer moves on to the breach')
  t.same(await slaEvents(tk.id), [], 'and fires at its moment, not before')
  await runAt(at('2026-03-09T21:59:30.000Z'))
  t.same(await timerJobs(tk.id), ['at_risk', 'breached'])
  t.equal(await pointer(tk.id), null, 'every timer handed on: the pointer is cleared')
  t.same((await slaEvents(tk.id)).map((e) => e.type), ['ticket.sla_at_risk'])
})

t.test('a back-dated ticket whose timers are near or past gets them as jobs with its insert', async (t) => {
  h.clock.set(MON_0900)
  // received Friday 15:00:30 PST, an email processed late (Enhanced P2, 6 business hours: 2 h 59 min 30 s on Friday, 3 h on
  // Monday): due 30 s from now, at risk since Monday 07:30 PDT; both are within the minute
  const res = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: { organizationId: orgId, subject: 'Phoned in', description: 'logged late', severity: 'high', channel: 'email', requester: { name: 'R', email: 'r@example.com' }, receivedAt: '2026-03-06T23:00:30.000Z' } })
  t.equal(res.statusCode, 201, res.body)
  const tk = res.json()
  t.same(await timerJobs(tk.id), ['at_risk', 'breached'], 'both are jobs at once')
  t.equal(await pointer(tk.id), null, 'nothing waits on the ticket')
})

t.test('an answered ticket: the sweep clears its pointer and sends nothing', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust)
  await comment(h, agent, tk.id, { body: 'On it.', visibility: 'public' })
  await runAt(at('2026-03-09T20:30:00.000Z'))
  t.same(await timerJobs(tk.id), [], 'no job for a response no longer owed')
  t.equal(await pointer(tk.id), null)
})

t.test('a severity change lowers the pointer to the sooner moment; two sweeps at once hand each timer on once', async (t) => {
  h.clock.set(MON_0900)
  const tickets = []
  for (let i = 0; i < 30; i++) tickets.push(await openTicket(h, cust, { severity: 'low' })) // P3: due Wednesday
  const [first] = tickets
  if (first === undefined) throw new Error('no ticket')
  const before = await pointer(first.id)
  h.clock.set(at(MON_0900, 60_000))
  t.equal((await h.request(agent, { method: 'POST', url: `/v1/tickets/${first.id}/severity-changes`, payload: { severity: 'urgent', reason: 'down' } })).statusCode, 201)
  t.equal(await pointer(first.id), '2026-03-09T16:46:00.001Z', `P1 from 09:01 PDT (due 10:01): at risk 09:46:00.001 PDT (was ${String(before)})`)
  // every P3 timer of the 30 tickets within the horizon; two sweeps race (separate transactions on PostgreSQL)
  h.clock.set('2026-03-11T15:59:30Z')
  const [a, b] = await Promise.all([sweepSlaTimers(h.ctx), sweepSlaTimers(h.ctx)])
  t.ok(a + b >= 30, `the sweeps moved ${a} + ${b} tickets on`)
  for (const tk of tickets) t.same(await timerJobs(tk.id), ['at_risk', 'breached'], 'two jobs per ticket, never four')
  const dup = await h.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM (SELECT data->>'ticketId', data->>'kind', data->>'moment' FROM pgboss.job WHERE name = 'sla-timers' GROUP BY 1, 2, 3 HAVING count(*) > 1) d`)
  t.equal(dup[0]?.n, 0, 'no timer handed on twice')
})

t.test('catch-up: a service that was down across the moments writes each missed event once, on start', async (t) => {
  // the running service stops: nothing runs while the clock moves past every moment
  h.clock.set(MON_0900)
  const a = await openTicket(h, cust)
  const b = await openTicket(h, cust, { severity: 'urgent' })
  await h.jobs.stop({ timeoutMs: 1000 })
  h.clock.set('2026-03-11T17:00:00Z') // Wednesday
  // a new process starts (a fresh engine over the same database) and catches up
  const jobs = createJobEngine({ database: h.database, now: h.clock.now, workers: true, mode: 'manual', poolMax: 2 })
  const ctx: AppContext = { database: h.database, now: h.clock.now, idempotencyTtlHours: 24, calendars: new CalendarStore(h.database), jobs, transaction: transactionOn(h.database) }
  registerJobHandlers(ctx)
  await jobs.start()
  t.teardown(async () => { await jobs.stop({ timeoutMs: 1000 }) })
  await jobs.runDue()
  await jobs.runDue()
  for (const tk of [a, b]) {
    const evs = await slaEvents(tk.id)
    t.same(evs.map((e) => e.type), ['ticket.sla_at_risk', 'ticket.sla_breached'], 'each missed event once')
    for (const e of evs) {
      t.equal(e.occurredAt, '2026-03-11T17:00:00.000Z', 'occurredAt = when noticed')
      t.equal(e.data.moment, e.type === 'ticket.sla_breached' ? tk.sla.dueAt : e.data.atRiskAt, 'the real moment in data')
    }
  }
})
