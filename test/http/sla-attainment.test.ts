/**
 * SLA attainment report against a hand-counted fixture (docs/sla.md "SLA attainment report"): two organizations,
 * met, breached (late and unanswered), owed, a reopened ticket (two cycles), a severity change before the response,
 * and a ticket opened at 23:30 PT on 31 January (1 February in UTC) that belongs to January.
 *
 * Org A (Premier): P1 = 1 h on the 24/7 calendar, P2 = 4 business hours (Mon–Fri 06:00–18:00 PT).
 * Org B (Enhanced): P1 = 1 business hour.
 *
 * | cycle | org | prio | clock start (PT)  | outcome            | business s to 1st response |
 * |-------|-----|------|-------------------|--------------------|----------------------------|
 * | T1    | A   | P1   | Sat 10 Jan 10:00  | met (+30 min)      | 1800  |
 * | T2    | A   | P2   | Mon 12 Jan 10:00  | breached (15:00)   | 18000 |
 * | T3 #1 | A   | P1   | Thu 15 Jan 10:00  | met (+10 min)      | 600   |
 * | T3 #2 | A   | P1   | Tue 20 Jan 10:00  | breached (+3 h)    | 10800 | (reopened: its own cycle)
 * | T4    | A   | P1   | Wed 21 Jan 10:00  | met (11:00)        | 3600  | (opened low/P3, upgraded to urgent at 10:30)
 * | T5    | A   | P1   | Sat 31 Jan 23:30  | met (+20 min)      | 1200  | (UTC: 1 Feb 07:30 — January in PT)
 * | T6    | B   | P1   | Fri 30 Jan 17:30  | breached (Mon 06:45) | 4500 |
 * | T8    | B   | P1   | Mon 2 Feb 06:00   | breached, unanswered | —   |
 * | T7    | B   | P1   | Mon 2 Feb 07:00   | owed               | —     |
 * now = Mon 2 Feb 07:10 PT.
 */
import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { comment, contactAttempts, openTicket } from './tickets-helpers.js'

const h = await buildTestApp(t)
h.clock.set('2026-01-05T09:00:00-08:00')
const orgA = await h.createOrg('premier', { name: 'Acme Premier' })
const orgB = await h.createOrg('enhanced', { name: 'Beta Enhanced' })
const custA = await h.customerToken(orgA.id)
const custB = await h.customerToken(orgB.id, 'customer-b')
const agent = await h.agentToken()
const reply = async (id: string): Promise<void> => { await comment(h, agent, id, { body: 'Looking into it' }) }
const at = (pt: string): void => h.clock.set(`${pt}-08:00`)

at('2026-01-10T10:00:00'); const t1 = await openTicket(h, custA, { severity: 'urgent' })
at('2026-01-10T10:30:00'); await reply(t1.id)
at('2026-01-12T10:00:00'); const t2 = await openTicket(h, custA, { severity: 'high' })
at('2026-01-12T15:00:00'); await reply(t2.id)
at('2026-01-15T10:00:00'); const t3 = await openTicket(h, custA, { severity: 'urgent' })
at('2026-01-15T10:10:00'); await contactAttempts(h, agent, t3.id, 3)
at('2026-01-16T10:00:00')
const closed = await h.request(agent, { method: 'POST', url: `/v1/tickets/${t3.id}/close`, payload: { reason: 'no_response' } })
at('2026-01-19T10:00:00')
const reopen = await h.request(custA, { method: 'POST', url: `/v1/tickets/${t3.id}/reopen-requests`, payload: { reason: 'still broken' } })
at('2026-01-20T10:00:00')
const approved = await h.request(agent, { method: 'POST', url: `/v1/reopen-requests/${reopen.json().id as string}/approve`, payload: {} })
at('2026-01-20T13:00:00'); await reply(t3.id)
at('2026-01-21T10:00:00'); const t4 = await openTicket(h, custA, { severity: 'low' })
at('2026-01-21T10:30:00')
const upgraded = await h.request(agent, { method: 'POST', url: `/v1/tickets/${t4.id}/severity-changes`, payload: { severity: 'urgent', reason: 'outage' } })
at('2026-01-21T11:00:00'); await reply(t4.id)
at('2026-01-30T17:30:00'); const t6 = await openTicket(h, custB, { severity: 'urgent' })
at('2026-01-31T23:30:00'); const t5 = await openTicket(h, custA, { severity: 'urgent' })
at('2026-01-31T23:50:00'); await reply(t5.id)
at('2026-02-02T06:00:00'); await openTicket(h, custB, { severity: 'urgent' }) // T8
at('2026-02-02T06:45:00'); await reply(t6.id)
at('2026-02-02T07:00:00'); await openTicket(h, custB, { severity: 'urgent' }) // T7
at('2026-02-02T07:10:00')

const report = async (token: string, query: string, headers: Record<string, string> = {}) =>
  await h.request(token, { method: 'GET', url: `/v1/reports/sla-attainment?${query}`, headers })

const figures = (cycles: number, tickets: number, met: number, breached: number, owed: number, attainmentPercent: number | null, median: number | null, p90: number | null) =>
  ({ cycles, tickets, met, breached, owed, attainmentPercent, medianFirstResponseBusinessSeconds: median, p90FirstResponseBusinessSeconds: p90 })

t.test('the fixture was built as described', async (t) => {
  t.equal(closed.statusCode, 200, closed.body)
  t.equal(approved.statusCode, 200, approved.body)
  t.equal(upgraded.statusCode, 201, upgraded.body)
  t.equal(t5.createdAt, '2026-02-01T07:30:00.000Z', 'T5 is February in UTC')
})

t.test('totals: cycles counted separately, met / breached / owed, attainment = met / decided, nearest-rank median and p90', async (t) => {
  const res = await report(agent, 'from=2026-01-01&to=2026-02-28')
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.match(body, { from: '2026-01-01', to: '2026-02-28', timeZone: 'America/Los_Angeles', groupBy: [], organizationId: null, rows: [] })
  // responded: 600, 1200, 1800, 3600, 4500, 10800, 18000 → median rank 4, p90 rank 7
  t.same(body.total, figures(9, 8, 4, 4, 1, 50, 3600, 18000))
})

t.test('by organization, by plan', async (t) => {
  const res = await report(agent, 'from=2026-01-01&to=2026-02-28&groupBy=organization')
  t.same(res.json().rows, [
    { organizationId: orgA.id, organizationName: 'Acme Premier', ...figures(6, 5, 4, 2, 0, 66.67, 1800, 18000) },
    { organizationId: orgB.id, organizationName: 'Beta Enhanced', ...figures(3, 3, 0, 2, 1, 0, 4500, 4500) }
  ])
  const plans = await report(agent, 'from=2026-01-01&to=2026-02-28&groupBy=plan')
  t.same(plans.json().rows.map((r: any) => [r.plan, r.cycles]), [['enhanced', 3], ['premier', 6]])
})

t.test('by priority: the severity-changed ticket counts under the priority in force when it was decided (P1, not P3)', async (t) => {
  const res = await report(agent, 'from=2026-01-01&to=2026-02-28&groupBy=priority')
  t.same(res.json().rows, [
    { priority: 'P1', ...figures(8, 7, 4, 3, 1, 57.14, 1800, 10800) },
    { priority: 'P2', ...figures(1, 1, 0, 1, 0, 0, 18000, 18000) }
  ])
})

t.test('by month in PT: 31 January 23:30 PT is January although it is 1 February in UTC', async (t) => {
  const res = await report(agent, 'from=2026-01-01&to=2026-02-28&groupBy=month')
  t.same(res.json().rows, [
    { month: '2026-01', ...figures(7, 6, 4, 3, 0, 57.14, 3600, 18000) },
    { month: '2026-02', ...figures(2, 2, 0, 1, 1, 0, null, null) }
  ])
  const feb = await report(agent, 'from=2026-02-01&to=2026-02-28')
  t.same(feb.json().total, figures(2, 2, 0, 1, 1, 0, null, null), 'the period starts at 00:00 PT: T5 is not in February')
  const jan31 = await report(agent, 'from=2026-01-31&to=2026-01-31&groupBy=organization,month')
  t.same(jan31.json().rows, [{ organizationId: orgA.id, organizationName: 'Acme Premier', month: '2026-01', ...figures(1, 1, 1, 0, 0, 100, 1200, 1200) }])
  const reopenOnly = await report(agent, 'from=2026-01-20&to=2026-01-20')
  t.same(reopenOnly.json().total, figures(1, 1, 0, 1, 0, 0, 10800, 10800), 'the reopened cycle on its own, by its own clock start')
})

t.test('customers see only their organization; another organization is 404', async (t) => {
  const mine = await report(custB, 'from=2026-01-01&to=2026-02-28&groupBy=organization')
  t.equal(mine.statusCode, 200)
  t.equal(mine.json().organizationId, orgB.id)
  t.same(mine.json().rows.map((r: any) => r.organizationId), [orgB.id])
  t.same(mine.json().total, figures(3, 3, 0, 2, 1, 0, 4500, 4500))
  t.equal((await report(custB, `from=2026-01-01&to=2026-02-28&organizationId=${orgA.id as string}`)).statusCode, 404)
  const one = await report(agent, `from=2026-01-01&to=2026-02-28&organizationId=${orgA.id as string}`)
  t.same(one.json().total, figures(6, 5, 4, 2, 0, 66.67, 1800, 18000), 'staff may narrow to one organization')
})

t.test('CSV with Accept: text/csv', async (t) => {
  const res = await report(agent, 'from=2026-01-01&to=2026-02-28&groupBy=organization,priority', { accept: 'text/csv' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/csv/)
  // org A P1 responded: 600, 1200, 1800, 3600, 10800 → median rank 3, p90 rank 5
  const lines = res.body.trimEnd().split('\r\n')
  t.equal(lines[0], 'organizationId,organizationName,priority,cycles,tickets,met,breached,owed,attainmentPercent,medianFirstResponseBusinessSeconds,p90FirstResponseBusinessSeconds')
  t.same(lines.slice(1), [
    `${orgA.id as string},Acme Premier,P1,5,4,4,1,0,80,1800,10800`,
    `${orgA.id as string},Acme Premier,P2,1,1,0,1,0,0,18000,18000`,
    `${orgB.id as string},Beta Enhanced,P1,3,3,0,2,1,0,4500,4500`
  ])
  const total = await report(agent, 'from=2026-02-01&to=2026-02-28', { accept: 'text/csv' })
  t.equal(total.body, 'cycles,tickets,met,breached,owed,attainmentPercent,medianFirstResponseBusinessSeconds,p90FirstResponseBusinessSeconds\r\n2,2,0,1,1,0,,\r\n')
})

t.test('bad input is 400, never 5xx', async (t) => {
  for (const q of ['from=2026-02-01&to=2026-01-01', 'from=2026-01-01', 'from=2026-01-01&to=2026-02-01&groupBy=team', 'from=2024-01-01&to=2026-12-31', 'from=2026-13-01&to=2026-12-31']) {
    const res = await report(agent, q)
    t.equal(res.statusCode, 400, `${q}: ${res.body}`)
  }
  t.equal((await report(null as unknown as string, 'from=2026-01-01&to=2026-01-31')).statusCode, 401)
})
