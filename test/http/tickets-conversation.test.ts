import t from 'tap'
import { comment, contactAttempts, enhancedDeskOnMonday, events, getTicket, MON_0900, openTicket } from './tickets-helpers.js'

const { h, cust, agent } = await enhancedDeskOnMonday(t)

t.test('first response met: internal notes and customer comments do not stop the clock', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust, { severity: 'urgent' }) // Enhanced P1: 1 BH → due 10:00
  t.equal(tk.sla.dueAt, '2026-03-09T17:00:00.000Z')
  h.clock.set('2026-03-09T09:10:00-07:00')
  const note = await comment(h, agent, tk.id, { body: 'Checking the DNS history', visibility: 'internal' })
  t.equal(note.firstResponse, false)
  h.clock.set('2026-03-09T09:20:00-07:00')
  await comment(h, cust, tk.id, { body: 'Any news?' })
  let now = await getTicket(h, cust, tk.id)
  t.equal(now.sla.firstRespondedAt, null)
  t.equal(now.sla.status, 'on_track')
  t.equal(now.sla.remainingBusinessSeconds, 2400)
  h.clock.set('2026-03-09T09:50:00-07:00')
  now = await getTicket(h, cust, tk.id)
  t.equal(now.sla.status, 'at_risk', 'less than 25 % of the hour left')
  t.equal(now.sla.remainingBusinessSeconds, 600)
  const first = await comment(h, agent, tk.id, { body: 'We are on it' })
  t.equal(first.firstResponse, true)
  now = await getTicket(h, cust, tk.id)
  t.equal(now.sla.status, 'met')
  t.equal(now.sla.firstRespondedAt, '2026-03-09T16:50:00.000Z')
  t.equal(now.sla.remainingBusinessSeconds, 0)
  h.clock.set('2026-03-09T12:00:00-07:00')
  t.equal((await getTicket(h, cust, tk.id)).sla.status, 'met', 'stays met')
  const trail = await events(h, agent, tk.id)
  t.match(trail.find((e) => e.type === 'ticket.first_responded'), { actor: { id: 'agent-1' }, data: { result: 'met', firstRespondedAt: '2026-03-09T16:50:00.000Z' } })
})

t.test('first response breached; the clock does not run over the weekend', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust, { severity: 'urgent' })
  h.clock.set('2026-03-09T10:00:00.001-07:00')
  t.equal((await getTicket(h, cust, tk.id)).sla.status, 'breached', 'past due, unanswered')
  await comment(h, agent, tk.id, { body: 'Sorry for the wait' })
  const after = await getTicket(h, cust, tk.id)
  t.equal(after.sla.status, 'breached')
  t.equal(after.sla.firstRespondedAt, '2026-03-09T17:00:00.001Z')

  // Friday 17:30 PST + 1 BH: 30 min on Friday, 30 min on Monday (after the DST change) → Mon 06:30 PDT
  h.clock.set('2026-03-06T17:30:00-08:00')
  const fri = await openTicket(h, cust, { severity: 'urgent' })
  t.equal(fri.sla.dueAt, '2026-03-09T13:30:00.000Z')
  h.clock.set('2026-03-07T12:00:00-08:00')
  const sat = await getTicket(h, cust, fri.id)
  t.same({ status: sat.sla.status, remaining: sat.sla.remainingBusinessSeconds }, { status: 'on_track', remaining: 1800 })
})

t.test('contact attempts: pending_customer and back to open on the customer\'s answer', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust)
  const c1 = await comment(h, agent, tk.id, { body: 'Please send the TXT record', awaitingCustomer: true })
  t.match(c1, { awaitingCustomer: true, firstResponse: true, visibility: 'public' })
  let now = await getTicket(h, cust, tk.id)
  t.match(now, { status: 'pending_customer', contactAttempts: 1 })
  await comment(h, agent, tk.id, { body: 'Reminder', awaitingCustomer: true })
  t.match(await getTicket(h, cust, tk.id), { status: 'pending_customer', contactAttempts: 2 })
  await comment(h, cust, tk.id, { body: 'Here it is: v=DMARC1; p=none' })
  now = await getTicket(h, cust, tk.id)
  t.match(now, { status: 'open', contactAttempts: 0 })
  const trail = await events(h, cust, tk.id)
  t.same(trail.map((e) => e.type), [
    'ticket.created',
    'ticket.comment_added', 'ticket.first_responded', 'ticket.contact_attempted',
    'ticket.comment_added', 'ticket.contact_attempted',
    'ticket.comment_added', 'ticket.contact_answered'
  ])
  t.match(trail[3], { resource: { type: 'ticket', id: tk.id, version: 2 }, data: { before: { status: 'open', contactAttempts: 0 }, after: { status: 'pending_customer', contactAttempts: 1 } } })
  t.match(trail[7], { actor: { role: 'customer' }, data: { before: { status: 'pending_customer', contactAttempts: 2 }, after: { status: 'open', contactAttempts: 0 } } })
  t.match(trail[1], { resource: { type: 'comment', id: c1.id, version: 1 }, visibility: 'public', data: { ticketVersion: 2, comment: { body: 'Please send the TXT record' } } })
})

t.test('comment refusals and If-Match', async (t) => {
  const tk = await openTicket(h, cust)
  const internal = await h.request(cust, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: 'x', visibility: 'internal' } })
  t.equal(internal.statusCode, 403)
  t.equal(internal.json().code, 'forbidden')
  const attempt = await h.request(cust, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: 'x', awaitingCustomer: true } })
  t.equal(attempt.statusCode, 403)
  const both = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: 'x', visibility: 'internal', awaitingCustomer: true } })
  t.equal(both.statusCode, 400)
  t.equal(both.json().code, 'validation-failed')
  const empty = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: '' } })
  t.equal(empty.statusCode, 400)
  const stale = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, headers: { 'if-match': '"7"' }, payload: { body: 'x' } })
  t.equal(stale.statusCode, 412)
  const fresh = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, headers: { 'if-match': '"1"' }, payload: { body: 'x' } })
  t.equal(fresh.statusCode, 201)
  t.equal(fresh.headers.location, `/v1/tickets/${tk.id}/comments/${fresh.json().id}`)
  const list = await h.request(agent, { method: 'GET', url: `/v1/tickets/${tk.id}/comments` })
  t.equal(list.json().items.length, 1, 'refused comments left nothing behind')
})

t.test('every comment moves the ticket on: a comment that changes none of its fields and one that does', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust)
  const versionOf = async (): Promise<{ version: number; updatedAt: string; etag: string }> => {
    const res = await h.request(agent, { method: 'GET', url: `/v1/tickets/${tk.id as string}` })
    return { version: res.json().version, updatedAt: res.json().updatedAt, etag: res.headers.etag as string }
  }
  const fields = (x: Record<string, any>): Record<string, unknown> => {
    const { version: _v, updatedAt: _u, sla: _s, ...rest } = x
    return rest
  }
  const before = await getTicket(h, agent, tk.id)
  // a note (internal) and a customer's comment on an open ticket change none of its fields
  const steps: Array<{ at: string; token: string; body: Record<string, unknown>; changes: boolean }> = [
    { at: '2026-03-09T09:05:00-07:00', token: agent, body: { body: 'Looking at the zanzibar record', visibility: 'internal' }, changes: false },
    { at: '2026-03-09T09:06:00-07:00', token: cust, body: { body: 'Also the quetzal subdomain' }, changes: false },
    { at: '2026-03-09T09:07:00-07:00', token: agent, body: { body: 'First answer' }, changes: true }, // the first response
    { at: '2026-03-09T09:08:00-07:00', token: agent, body: { body: 'A follow-up about the xylophone selector' }, changes: false }
  ]
  let last = await versionOf()
  let previous = fields(before)
  for (const [i, step] of steps.entries()) {
    h.clock.set(step.at)
    const res = await h.request(step.token, { method: 'POST', url: `/v1/tickets/${tk.id as string}/comments`, headers: { 'if-match': last.etag }, payload: step.body })
    t.equal(res.statusCode, 201, `step ${i}: ${res.body}`)
    const now = await versionOf()
    t.equal(now.version, last.version + 1, `step ${i}: the version moves on`)
    t.equal(now.updatedAt, new Date(step.at).toISOString(), `step ${i}: updatedAt is the comment's time`)
    t.equal(now.etag, `"${now.version}"`)
    const trail = await events(h, agent, tk.id)
    t.match(trail.filter((e) => e.type === 'ticket.comment_added').at(-1), { data: { ticketVersion: now.version, comment: { id: res.json().id } } })
    const stale = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id as string}/comments`, headers: { 'if-match': last.etag }, payload: { body: 'late' } })
    t.equal(stale.statusCode, 412, `step ${i}: the version before the comment is stale`)
    const current = fields(await getTicket(h, agent, tk.id))
    if (!step.changes) t.same(current, previous, `step ${i}: no field of the ticket changed`)
    previous = current
    last = now
  }
  const after = await getTicket(h, agent, tk.id)
  t.same({ ...fields(after), updatedAt: undefined }, { ...fields(before), updatedAt: undefined }, 'the ticket\'s own fields are as they were (the first response is in sla)')
  t.equal(after.sla.firstRespondedAt, '2026-03-09T16:07:00.000Z')
  const search = async (token: string, q: string): Promise<string[]> =>
    (await h.request(token, { method: 'GET', url: `/v1/tickets?q=${q}` })).json().items.map((x: Record<string, unknown>) => x.id)
  t.same(await search(agent, 'zanzibar'), [tk.id], 'an internal note is in the staff search document')
  t.same(await search(cust, 'zanzibar'), [], 'and not in the customers\'')
  t.same(await search(cust, 'quetzal'), [tk.id], 'a customer comment is in both')
  t.same(await search(cust, 'xylophone'), [tk.id], 'so is a later public comment')
})

t.test('customers never see internal comments (list, single, audit trail); pages of the conversation', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust)
  const bodies = ['public 1', 'internal 1', 'public 2', 'internal 2', 'public 3']
  const ids: string[] = []
  for (const [i, body] of bodies.entries()) {
    h.clock.advance(1000)
    ids.push((await comment(h, i === 0 || i === 4 ? cust : agent, tk.id, { body, visibility: body.startsWith('internal') ? 'internal' : 'public' })).id)
  }
  const custList = (await h.request(cust, { method: 'GET', url: `/v1/tickets/${tk.id}/comments` })).json().items
  t.same(custList.map((c: { body: string }) => c.body), ['public 1', 'public 2', 'public 3'])
  const agentBodies: string[] = []
  let cursor: string | null = null
  do {
    const page: { items: Array<{ body: string }>; nextCursor: string | null } = (await h.request(agent, { method: 'GET', url: `/v1/tickets/${tk.id}/comments?limit=2${cursor === null ? '' : `&cursor=${cursor}`}` })).json()
    agentBodies.push(...page.items.map((c) => c.body))
    cursor = page.nextCursor
  } while (cursor !== null)
  t.same(agentBodies, bodies, 'agents see everything, oldest first')
  t.equal((await h.request(cust, { method: 'GET', url: `/v1/tickets/${tk.id}/comments/${ids[1]}` })).statusCode, 404)
  t.equal((await h.request(agent, { method: 'GET', url: `/v1/tickets/${tk.id}/comments/${ids[1]}` })).statusCode, 200)
  t.equal((await h.request(cust, { method: 'GET', url: `/v1/tickets/${tk.id}/comments/${ids[0]}` })).json().body, 'public 1')

  const custTrail = await events(h, cust, tk.id)
  const agentTrail = await events(h, agent, tk.id)
  t.notOk(custTrail.some((e) => e.visibility === 'internal' || JSON.stringify(e.data).includes('internal 1')), 'no internal event for customers')
  t.equal(agentTrail.filter((e) => e.visibility === 'internal').length, 2)
  t.match(agentTrail.find((e) => e.visibility === 'internal'), { type: 'ticket.comment_added', data: { comment: { visibility: 'internal' } } })
  const firstPage = (await h.request(agent, { method: 'GET', url: `/v1/tickets/${tk.id}/events?limit=2` })).json()
  const second = (await h.request(agent, { method: 'GET', url: `/v1/tickets/${tk.id}/events?limit=100&cursor=${firstPage.nextCursor}` })).json()
  t.same([...firstPage.items, ...second.items].map((e: { id: string }) => e.id), agentTrail.map((e) => e.id), 'the trail pages in order')
  const ordered = agentTrail.map((e) => Number(e.id))
  t.same(ordered, [...ordered].sort((a, b) => a - b))
})

t.test('closing: roles, no_response needs contact attempts, out_of_scope needs a note, state machine, If-Match', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust)
  const byCustomer = await h.request(cust, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, payload: { reason: 'resolved' } })
  t.equal(byCustomer.statusCode, 403)
  t.equal(byCustomer.json().code, 'forbidden')

  await contactAttempts(h, agent, tk.id, 2)
  const early = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, payload: { reason: 'no_response' } })
  t.equal(early.statusCode, 409)
  t.match(early.json(), { code: 'not-enough-contact-attempts', contactAttempts: 2, required: 3 })
  await contactAttempts(h, agent, tk.id, 1)
  const v = (await getTicket(h, agent, tk.id)).version
  const stale = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, headers: { 'if-match': `"${v - 1}"` }, payload: { reason: 'no_response' } })
  t.equal(stale.statusCode, 412)
  t.equal((await getTicket(h, agent, tk.id)).status, 'pending_customer', 'stale close changed nothing')
  h.clock.set('2026-03-10T09:00:00-07:00')
  const closed = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, headers: { 'if-match': `"${v}"` }, payload: { reason: 'no_response' } })
  t.equal(closed.statusCode, 200, closed.body)
  t.equal(closed.headers.etag, `"${v + 1}"`)
  t.match(closed.json(), { status: 'closed', closedReason: 'no_response', closedAt: '2026-03-10T16:00:00.000Z', closedBy: { id: 'agent-1', role: 'agent' }, contactAttempts: 3 })
  const again = await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, payload: { reason: 'resolved' } })
  t.equal(again.statusCode, 409)
  t.match(again.json(), { code: 'invalid-transition', currentStatus: 'closed' })

  const onClosed = await h.request(cust, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: 'Hello?' } })
  t.equal(onClosed.statusCode, 409)
  t.match(onClosed.json(), { code: 'ticket-closed', closedReason: 'no_response', next: { action: 'request-reopen', href: `/v1/tickets/${tk.id}/reopen-requests` } })
  const patchClosed = await h.request(cust, { method: 'PATCH', url: `/v1/tickets/${tk.id}`, payload: { subject: 'x' } })
  t.equal(patchClosed.statusCode, 409)
  t.equal(patchClosed.json().code, 'ticket-closed')
  t.equal((await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${tk.id}`, payload: { category: 'dns' } })).statusCode, 200, 'staff may still tidy a closed ticket')

  const other = await openTicket(h, cust)
  const noNote = await h.request(agent, { method: 'POST', url: `/v1/tickets/${other.id}/close`, payload: { reason: 'out_of_scope' } })
  t.equal(noNote.statusCode, 422)
  t.equal(noNote.json().code, 'note-required')
  const oos = await h.request(agent, { method: 'POST', url: `/v1/tickets/${other.id}/close`, payload: { reason: 'out_of_scope', note: 'SAML/SSO is a customer responsibility' } })
  t.equal(oos.statusCode, 200)
  t.match(oos.json(), { closedReason: 'out_of_scope', closeNote: 'SAML/SSO is a customer responsibility', sla: { status: 'met', firstRespondedAt: '2026-03-10T16:00:00.000Z' } })
  const onOos = await h.request(agent, { method: 'POST', url: `/v1/tickets/${other.id}/comments`, payload: { body: 'x' } })
  t.match(onOos.json(), { code: 'ticket-closed', next: { action: 'create-ticket', href: '/v1/tickets' } })
  const trail = await events(h, cust, other.id)
  t.match(trail.at(-1), { type: 'ticket.closed', data: { before: { status: 'open' }, after: { status: 'closed', closedReason: 'out_of_scope', closeNote: 'SAML/SSO is a customer responsibility' }, firstResponseByClosing: true } })
  const badReason = await h.request(agent, { method: 'POST', url: `/v1/tickets/${other.id}/close`, payload: { reason: 'fixed' } })
  t.equal(badReason.statusCode, 400)
})

t.test('the comment in the 201 is the stored one (the same body as a GET), and its event comes first in the feed', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust)
  h.clock.set('2026-03-09T09:12:34.567-07:00')
  for (const [token, payload] of [
    [cust, { body: 'A customer\'s question, with "quotes" and ünïcode' }],
    [agent, { body: 'An internal note', visibility: 'internal' }],
    [agent, { body: 'The first answer, asking for the DNS zone', awaitingCustomer: true }]
  ] as const) {
    const res = await h.request(token, { method: 'POST', url: `/v1/tickets/${tk.id as string}/comments`, headers: { 'idempotency-key': `k-${payload.body.length}` }, payload })
    t.equal(res.statusCode, 201, res.body)
    const got = await h.request(agent, { method: 'GET', url: res.headers.location as string })
    t.equal(got.statusCode, 200)
    t.same(res.json(), got.json(), `${payload.body}: POST = GET`)
    const replay = await h.request(token, { method: 'POST', url: `/v1/tickets/${tk.id as string}/comments`, headers: { 'idempotency-key': `k-${payload.body.length}` }, payload })
    t.equal(replay.body, res.body, 'a replay answers the same bytes')
  }
  const trail = await events(h, agent, tk.id)
  const types = trail.map((e) => e.type)
  t.same(types.slice(-5), ['ticket.comment_added', 'ticket.comment_added', 'ticket.comment_added', 'ticket.first_responded', 'ticket.contact_attempted'],
    'each comment\'s event once, in order; the first response and the contact attempt after the comment that made them')
  const comments = (await h.request(agent, { method: 'GET', url: `/v1/tickets/${tk.id as string}/comments` })).json().items as Array<{ id: string }>
  // (the three comments share one instant, so the conversation orders them by id)
  t.same(trail.filter((e) => e.type === 'ticket.comment_added').map((e) => e.data.comment.id as string).sort(), comments.map((c) => c.id).sort(), 'one event per stored comment, the same ids')
})
