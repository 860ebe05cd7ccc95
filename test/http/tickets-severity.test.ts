import t from 'tap'
import { comment, enhancedDeskOnMonday, events, getTicket, MON_0900, openTicket } from './tickets-helpers.js'

const { h, cust, agent } = await enhancedDeskOnMonday(t)

const changeSeverity = async (ticketId: string, payload: Record<string, unknown>, token = agent, headers: Record<string, string> = {}) =>
  await h.request(token, { method: 'POST', url: `/v1/tickets/${ticketId}/severity-changes`, headers, payload })

t.test('downgrade while the response is owed: recomputed from the change, may move later', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust, { severity: 'urgent' }) // P1 1 BH → 10:00
  h.clock.set('2026-03-09T09:30:00-07:00')
  const res = await changeSeverity(tk.id, { severity: 'high', reason: 'Only one domain is affected' })
  t.equal(res.statusCode, 201, res.body)
  const body = res.json()
  t.equal(res.headers.location, `/v1/tickets/${tk.id}/severity-changes/${body.id}`)
  t.match(body, { ticketId: tk.id, from: 'urgent', to: 'high', direction: 'downgrade', reason: 'Only one domain is affected', slaEffect: 'recomputed', actor: { id: 'agent-1', role: 'agent' }, changedAt: '2026-03-09T16:30:00.000Z' })
  t.match(body.slaBefore, { priority: 'P1', targetSeconds: 3600, dueAt: '2026-03-09T17:00:00.000Z', status: 'on_track', remainingBusinessSeconds: 1800 })
  t.match(body.slaAfter, { priority: 'P2', targetSeconds: 21600, targetDuration: 'PT6H', dueAt: '2026-03-09T22:30:00.000Z', status: 'on_track', remainingBusinessSeconds: 21600, clockStartedAt: '2026-03-09T16:00:00.000Z' })
  const now = await getTicket(h, cust, tk.id)
  t.match(now, { severity: 'high', priority: 'P2', version: 2, sla: { dueAt: '2026-03-09T22:30:00.000Z', priority: 'P2' } })
  const trail = await events(h, cust, tk.id)
  t.match(trail.at(-1), { type: 'ticket.severity_changed', resource: { type: 'severity_change', id: body.id, version: 1 }, data: { ticketVersion: 2, from: 'urgent', to: 'high', direction: 'downgrade', slaBefore: { dueAt: '2026-03-09T17:00:00.000Z' }, slaAfter: { dueAt: '2026-03-09T22:30:00.000Z' } } })
})

t.test('upgrade: earlier deadline from the change, or the earlier one kept — never later', async (t) => {
  h.clock.set(MON_0900)
  const low = await openTicket(h, cust, { severity: 'low' }) // P3 24 BH → Wed 09:00
  t.equal(low.sla.dueAt, '2026-03-11T16:00:00.000Z')
  h.clock.set('2026-03-09T10:00:00-07:00')
  const up = (await changeSeverity(low.id, { severity: 'urgent', reason: 'All domains down' })).json()
  t.match(up, { direction: 'upgrade', slaEffect: 'recomputed', slaAfter: { priority: 'P1', dueAt: '2026-03-09T18:00:00.000Z' } })

  h.clock.set(MON_0900)
  const medium = await openTicket(h, cust, { severity: 'medium' }) // P2 6 BH → 15:00
  h.clock.set('2026-03-09T14:30:00-07:00')
  const kept = await changeSeverity(medium.id, { severity: 'high', reason: 'More users affected' })
  t.equal(kept.statusCode, 201)
  t.match(kept.json(), { direction: 'upgrade', slaEffect: 'kept-earlier-deadline', slaBefore: { dueAt: '2026-03-09T22:00:00.000Z' }, slaAfter: { dueAt: '2026-03-09T22:00:00.000Z', status: 'at_risk' } })
})

t.test('after the first response the change is recorded, the priority changes, the result stands', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust, { severity: 'medium' })
  h.clock.set('2026-03-09T09:30:00-07:00')
  await comment(h, agent, tk.id, { body: 'Looking' })
  h.clock.set('2026-03-09T11:00:00-07:00')
  const res = (await changeSeverity(tk.id, { severity: 'urgent', reason: 'Escalated' })).json()
  t.match(res, { slaEffect: 'unchanged-responded', slaBefore: { status: 'met' }, slaAfter: { status: 'met', dueAt: '2026-03-09T22:00:00.000Z', priority: 'P2' } })
  t.match(await getTicket(h, cust, tk.id), { severity: 'urgent', priority: 'P1', sla: { status: 'met', priority: 'P2' } })

  // breached and unanswered: a downgrade does not erase the breach
  h.clock.set(MON_0900)
  const late = await openTicket(h, cust, { severity: 'urgent' })
  h.clock.set('2026-03-09T11:00:00-07:00')
  const down = (await changeSeverity(late.id, { severity: 'low', reason: 'Workaround found' })).json()
  t.match(down, { direction: 'downgrade', slaEffect: 'unchanged-breached', slaAfter: { status: 'breached', dueAt: '2026-03-09T17:00:00.000Z' } })
})

t.test('refusals: customers 403, same severity 409, closed 409, stale If-Match 412; history in order', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust, { severity: 'high' })
  const byCustomer = await changeSeverity(tk.id, { severity: 'urgent', reason: 'please' }, cust)
  t.equal(byCustomer.statusCode, 403)
  t.equal(byCustomer.json().code, 'forbidden')
  const same = await changeSeverity(tk.id, { severity: 'high', reason: 'x' })
  t.equal(same.statusCode, 409)
  t.match(same.json(), { code: 'severity-unchanged', severity: 'high' })
  const noReason = await changeSeverity(tk.id, { severity: 'low' })
  t.equal(noReason.statusCode, 400)
  const stale = await changeSeverity(tk.id, { severity: 'low', reason: 'x' }, agent, { 'if-match': '"9"' })
  t.equal(stale.statusCode, 412)
  t.equal((await getTicket(h, agent, tk.id)).severity, 'high', 'nothing changed')
  const a = await changeSeverity(tk.id, { severity: 'low', reason: 'first' }, agent, { 'if-match': '"1"' })
  t.equal(a.statusCode, 201)
  h.clock.advance(1000)
  const b = await changeSeverity(tk.id, { severity: 'urgent', reason: 'second' })
  t.equal(b.statusCode, 201)
  const history = await h.request(cust, { method: 'GET', url: `/v1/tickets/${tk.id}/severity-changes` })
  t.equal(history.statusCode, 200)
  t.same(history.json().items.map((c: { reason: string; direction: string }) => [c.reason, c.direction]), [['first', 'downgrade'], ['second', 'upgrade']])
  const page1 = (await h.request(cust, { method: 'GET', url: `/v1/tickets/${tk.id}/severity-changes?limit=1` })).json()
  const page2 = (await h.request(cust, { method: 'GET', url: `/v1/tickets/${tk.id}/severity-changes?limit=1&cursor=${page1.nextCursor}` })).json()
  t.same([page1.items[0].reason, page2.items[0].reason, page2.nextCursor], ['first', 'second', null])
  const one = await h.request(cust, { method: 'GET', url: `/v1/tickets/${tk.id}/severity-changes/${a.json().id}` })
  t.equal(one.json().reason, 'first')

  await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, payload: { reason: 'resolved' } })
  const closed = await changeSeverity(tk.id, { severity: 'low', reason: 'x' })
  t.equal(closed.statusCode, 409)
  t.equal(closed.json().code, 'ticket-closed')
})
