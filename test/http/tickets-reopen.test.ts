import t from 'tap'
import { comment, contactAttempts, enhancedDeskOnMonday, events, getTicket, MON_0900, openTicket } from './tickets-helpers.js'

const { h, org, cust, agent } = await enhancedDeskOnMonday(t)

/** a ticket closed for no response on Monday 10:00 (first response met at 09:00) */
async function closedForNoResponse (severity = 'high'): Promise<Record<string, any>> {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust, { severity })
  await contactAttempts(h, agent, tk.id, 3)
  h.clock.set('2026-03-09T10:00:00-07:00')
  const res = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, payload: { reason: 'no_response' } })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json()
}

const requestReopen = async (ticketId: string, token = cust, headers: Record<string, string> = {}) =>
  await h.request(token, { method: 'POST', url: `/v1/tickets/${ticketId}/reopen-requests`, headers, payload: { reason: 'I was on leave; still broken' } })
const decide = async (requestId: string, decision: 'approve' | 'deny', payload: Record<string, unknown> = {}, token = agent, headers: Record<string, string> = {}) =>
  await h.request(token, { method: 'POST', url: `/v1/reopen-requests/${requestId}/${decision}`, headers, payload })

t.test('request → queue → approve: reopened with a new first-response cycle; the old result stays in the history', async (t) => {
  const closed = await closedForNoResponse('high')
  h.clock.set('2026-03-20T08:00:00-07:00')
  const res = await requestReopen(closed.id)
  t.equal(res.statusCode, 201, res.body)
  const req = res.json()
  t.equal(res.headers.location, `/v1/reopen-requests/${req.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(req, { ticketId: closed.id, organizationId: org.id, status: 'pending', reason: 'I was on leave; still broken', requestedBy: { id: 'customer-1', role: 'customer' }, decidedAt: null, version: 1 })

  const queue = await h.request(agent, { method: 'GET', url: '/v1/reopen-requests?status=pending' })
  t.equal(queue.statusCode, 200)
  t.ok(queue.json().items.some((r: { id: string }) => r.id === req.id), 'in the agents\' queue')
  const single = await h.request(cust, { method: 'GET', url: `/v1/reopen-requests/${req.id}` })
  t.equal(single.headers.etag, '"1"')
  t.equal((await h.request(cust, { method: 'GET', url: `/v1/reopen-requests/${req.id}`, headers: { 'if-none-match': '"1"' } })).statusCode, 304)

  const byCustomer = await decide(req.id, 'approve', {}, cust)
  t.equal(byCustomer.statusCode, 403)
  const stale = await decide(req.id, 'approve', {}, agent, { 'if-match': '"2"' })
  t.equal(stale.statusCode, 412)
  t.equal((await getTicket(h, cust, closed.id)).status, 'closed', 'stale approval changed nothing')

  h.clock.set('2026-03-20T10:00:00-07:00')
  const approved = await decide(req.id, 'approve', { note: 'Reopened' }, agent, { 'if-match': '"1"' })
  t.equal(approved.statusCode, 200, approved.body)
  t.equal(approved.headers.etag, '"2"')
  t.match(approved.json(), { status: 'approved', decidedBy: { id: 'agent-1', role: 'agent' }, decidedAt: '2026-03-20T17:00:00.000Z', decisionNote: 'Reopened', version: 2 })

  const tk = await getTicket(h, cust, closed.id)
  t.match(tk, { status: 'open', closedReason: null, closedAt: null, closeNote: null, contactAttempts: 0 })
  t.same(tk.sla, {
    cycle: 2, plan: 'enhanced', priority: 'P2', targetSeconds: 21600, targetDuration: 'PT6H', calendarId: 'business-hours',
    clockStartedAt: '2026-03-20T17:00:00.000Z', dueAt: '2026-03-20T23:00:00.000Z', firstRespondedAt: null, status: 'on_track', remainingBusinessSeconds: 21600
  })
  t.same(tk.slaHistory, [{
    cycle: 1, plan: 'enhanced', priority: 'P2', targetSeconds: 21600, targetDuration: 'PT6H', calendarId: 'business-hours',
    clockStartedAt: '2026-03-09T16:00:00.000Z', dueAt: '2026-03-09T22:00:00.000Z', firstRespondedAt: '2026-03-09T16:00:00.000Z', status: 'met', endedAt: '2026-03-20T17:00:00.000Z'
  }])
  // the new cycle: breached when nobody answers in time, and it is judged on its own
  h.clock.set('2026-03-23T09:00:00-07:00')
  t.equal((await getTicket(h, cust, closed.id)).sla.status, 'breached')
  await comment(h, agent, closed.id, { body: 'Back on it' })
  const later = await getTicket(h, cust, closed.id)
  t.match(later, { sla: { status: 'breached', cycle: 2 }, slaHistory: [{ status: 'met' }] })

  const again = await decide(req.id, 'deny', { note: 'x' })
  t.equal(again.statusCode, 409)
  t.match(again.json(), { code: 'reopen-request-decided', currentStatus: 'approved' })
  const trail = (await events(h, cust, closed.id)).map((e) => e.type)
  t.same(trail.slice(-5), ['ticket.reopen_requested', 'ticket.reopen_approved', 'ticket.reopened', 'ticket.comment_added', 'ticket.first_responded'])
  const reopened = (await events(h, cust, closed.id)).find((e) => e.type === 'ticket.reopened')
  t.match(reopened, { resource: { type: 'ticket' }, data: { reopenRequestId: req.id, before: { status: 'closed', closedReason: 'no_response' }, after: { status: 'open', sla: { cycle: 2 } }, previousCycleResult: 'met' } })
  const history = await h.request(cust, { method: 'GET', url: `/v1/tickets/${closed.id}/reopen-requests` })
  t.same(history.json().items.map((r: { status: string }) => r.status), ['approved'])
})

t.test('deny: needs a note; the ticket stays closed and a new request may follow', async (t) => {
  const closed = await closedForNoResponse()
  h.clock.set('2026-03-10T09:00:00-07:00')
  const req = (await requestReopen(closed.id, agent)).json()
  t.match(req, { requestedBy: { role: 'agent' } }, 'an agent on the customer\'s behalf')
  const noNote = await decide(req.id, 'deny', {})
  t.equal(noNote.statusCode, 422)
  t.equal(noNote.json().code, 'note-required')
  const denied = await decide(req.id, 'deny', { note: 'The DNS change fixed it' })
  t.equal(denied.statusCode, 200)
  t.match(denied.json(), { status: 'denied', decisionNote: 'The DNS change fixed it' })
  t.equal((await getTicket(h, cust, closed.id)).status, 'closed')
  t.equal((await decide(req.id, 'approve')).json().code, 'reopen-request-decided')
  const next = await requestReopen(closed.id)
  t.equal(next.statusCode, 201, 'a decided request does not block a new one')
  const trail = (await events(h, cust, closed.id)).map((e) => e.type)
  t.same(trail.slice(-3), ['ticket.reopen_requested', 'ticket.reopen_denied', 'ticket.reopen_requested'])
})

t.test('refusals: not closed for no response, one pending at a time, the reopen window', async (t) => {
  h.clock.set(MON_0900)
  const open = await openTicket(h, cust)
  const notClosed = await requestReopen(open.id)
  t.equal(notClosed.statusCode, 409)
  t.match(notClosed.json(), { code: 'not-closed-for-no-response', currentStatus: 'open' })
  await h.request(agent, { method: 'POST', url: `/v1/tickets/${open.id}/close`, payload: { reason: 'resolved' } })
  const resolved = await requestReopen(open.id)
  t.equal(resolved.statusCode, 409)
  t.match(resolved.json(), { code: 'not-closed-for-no-response', closedReason: 'resolved' })

  const closed = await closedForNoResponse() // closed Mon 2026-03-09 10:00 PDT
  const first = await requestReopen(closed.id)
  t.equal(first.statusCode, 201)
  const second = await requestReopen(closed.id)
  t.equal(second.statusCode, 409)
  t.match(second.json(), { code: 'reopen-request-pending', pendingRequestId: first.json().id })

  const late = await closedForNoResponse()
  h.clock.set('2026-04-08T10:00:00-07:00') // exactly 30 × 24 h later: still inside
  const stale = await requestReopen(late.id, cust, { 'if-match': '"4"' })
  t.equal(stale.statusCode, 412, 'If-Match refers to the ticket (version 5 after three attempts and the closing)')
  const edge = await requestReopen(late.id, cust, { 'if-match': `"${(await getTicket(h, cust, late.id)).version as number}"` })
  t.equal(edge.statusCode, 201, edge.body)
  const later = await closedForNoResponse()
  h.clock.set('2026-04-08T10:00:00.001-07:00')
  const expired = await requestReopen(later.id)
  t.equal(expired.statusCode, 409)
  t.match(expired.json(), { code: 'reopen-window-expired', windowEndsAt: '2026-04-08T17:00:00.000Z', reopenWindowDays: 30 })
})

t.test('the queue: pending only, oldest first, organization scoping, paging', async (t) => {
  h.clock.set(MON_0900)
  const otherOrg = await h.createOrg('enhanced')
  const otherCust = await h.customerToken(otherOrg.id)
  const tk = await openTicket(h, otherCust)
  await contactAttempts(h, agent, tk.id, 3)
  await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, payload: { reason: 'no_response' } })
  h.clock.set('2026-03-11T09:00:00-07:00')
  const mine = (await requestReopen(tk.id, otherCust)).json()

  const custQueue = (await h.request(otherCust, { method: 'GET', url: '/v1/reopen-requests?status=pending' })).json().items
  t.same(custQueue.map((r: { id: string }) => r.id), [mine.id], 'a customer sees only its organization\'s requests')
  t.equal((await h.request(otherCust, { method: 'GET', url: `/v1/reopen-requests?organizationId=${org.id}` })).statusCode, 404)
  t.same((await h.request(agent, { method: 'GET', url: `/v1/reopen-requests?status=pending&organizationId=${otherOrg.id}` })).json().items.map((r: { id: string }) => r.id), [mine.id])

  const all: Array<{ id: string; status: string; createdAt: string }> = []
  let cursor: string | null = null
  do {
    const page: { items: typeof all; nextCursor: string | null } = (await h.request(agent, { method: 'GET', url: `/v1/reopen-requests?status=pending&limit=1${cursor === null ? '' : `&cursor=${cursor}`}` })).json()
    all.push(...page.items)
    cursor = page.nextCursor
  } while (cursor !== null)
  t.ok(all.length >= 2)
  t.ok(all.every((r) => r.status === 'pending'))
  t.equal(new Set(all.map((r) => r.id)).size, all.length, 'no duplicates')
  for (let i = 1; i < all.length; i++) t.ok(all[i - 1]!.createdAt <= all[i]!.createdAt, 'oldest first')
  t.ok(all.some((r) => r.id === mine.id))
  const approvedOnes = (await h.request(agent, { method: 'GET', url: '/v1/reopen-requests?status=approved' })).json().items
  t.ok(approvedOnes.every((r: { status: string }) => r.status === 'approved'))
})
