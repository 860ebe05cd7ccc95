import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { TICKET_BODY, comment, events, getTicket, openTicket } from './tickets-helpers.js'

const h = await buildTestApp(t)
// Monday 2026-03-09 09:00 PDT
h.clock.set('2026-03-09T09:00:00-07:00')

t.test('a customer opens a ticket: 201 with Location, ETag, priority and the sla object', async (t) => {
  const org = await h.createOrg('enhanced')
  const res = await h.request(await h.customerToken(org.id), { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, severity: 'urgent', category: 'reporting' } })
  t.equal(res.statusCode, 201, res.body)
  const body = res.json()
  t.equal(res.headers.location, `/v1/tickets/${body.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(body, { organizationId: org.id, severity: 'urgent', priority: 'P1', status: 'open', contactAttempts: 0, category: 'reporting', createdBy: { id: 'customer-1', role: 'customer' }, version: 1 })
  t.same(body.sla, {
    cycle: 1,
    plan: 'enhanced',
    priority: 'P1',
    targetSeconds: 3600,
    targetDuration: 'PT1H',
    calendarId: 'business-hours',
    clockStartedAt: '2026-03-09T16:00:00.000Z',
    dueAt: '2026-03-09T17:00:00.000Z',
    firstRespondedAt: null,
    status: 'on_track',
    remainingBusinessSeconds: 3600
  })
  t.same(body.slaHistory, [])
  const [created] = await events(h, await h.agentToken(), body.id)
  t.match(created, { type: 'ticket.created', organizationId: org.id, ticketId: body.id, resource: { type: 'ticket', id: body.id, version: 1 }, actor: { id: 'customer-1', role: 'customer' }, data: { after: { subject: TICKET_BODY.subject, severity: 'urgent' } } })
})

t.test('the created ticket in the 201 is exactly the stored one: the same body as a GET right after (every field set)', async (t) => {
  const org = await h.createOrg('premier')
  const agent = await h.agentToken()
  const res = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, organizationId: org.id, severity: 'high', channel: 'phone', category: 'dns', tags: ['dkim', 'null', 'urgent-customer'], receivedAt: '2026-03-09T15:12:34.567Z' } })
  t.equal(res.statusCode, 201, res.body)
  const got = await h.request(agent, { method: 'GET', url: `/v1/tickets/${res.json().id}` })
  t.same(res.json(), got.json(), 'POST /v1/tickets')
  t.same(got.json().tags, ['dkim', 'null', 'urgent-customer'], 'the tag "null" is stored as text, not as an SQL null')
  t.equal(res.headers.etag, got.headers.etag)
  const byTag = await h.request(agent, { method: 'GET', url: `/v1/tickets?organizationId=${org.id}&tag=null` })
  t.same(byTag.json().items.map((x: { id: string }) => x.id), [res.json().id], 'tag=null finds it')
  const put = await h.request(agent, { method: 'PUT', url: `/v1/organizations/${org.id}/external-tickets/jira/SD-${Date.now()}`, payload: { subject: 'Synced', description: 'from Jira', severity: 'low', channel: 'email', requester: { name: 'R', email: 'r@example.com' }, tags: ['sync', 'NULL'.toLowerCase()], url: 'https://jira.example/browse/SD-1' } })
  t.equal(put.statusCode, 201, put.body)
  const again = await h.request(agent, { method: 'GET', url: `/v1/tickets/${put.json().id}` })
  t.same(put.json(), again.json(), 'PUT external-tickets (created)')
})

t.test('priority from severity; the deadline equals the SLA preview', async (t) => {
  const org = await h.createOrg('basic')
  const tok = await h.customerToken(org.id)
  for (const [severity, priority] of [['urgent', 'P1'], ['high', 'P2'], ['medium', 'P2'], ['low', 'P3']] as const) {
    const tk = await openTicket(h, tok, { severity })
    t.equal(tk.priority, priority, severity)
    t.equal(tk.sla.calendarId, 'business-hours-with-holidays')
    const preview = await h.request(tok, { method: 'POST', url: '/v1/sla/preview', payload: { organizationId: org.id, severity, at: tk.createdAt } })
    t.equal(preview.statusCode, 200, preview.body)
    t.equal(tk.sla.dueAt, preview.json().dueAt, `${severity}: ticket deadline = preview`)
  }
})

t.test('agents name the organization; refusals: organization-required, subscription-inactive, channel-not-in-plan, unknown fields', async (t) => {
  const agent = await h.agentToken()
  const org = await h.createOrg('basic')
  const missing = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: TICKET_BODY })
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().code, 'organization-required')
  const ok = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, organizationId: org.id } })
  t.equal(ok.statusCode, 201, ok.body)
  t.match(ok.json().createdBy, { role: 'agent' })

  for (const [plan, channel, needs] of [['basic', 'video_call', ['enhanced', 'premier']], ['basic', 'phone', ['premier']], ['enhanced', 'phone', ['premier']]] as const) {
    const o = await h.createOrg(plan)
    const res = await h.request(await h.customerToken(o.id), { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, channel } })
    t.equal(res.statusCode, 422, `${plan} ${channel}`)
    t.match(res.json(), { code: 'channel-not-in-plan', channel, plan, plansWithChannel: needs })
  }
  const premier = await h.createOrg('premier')
  t.equal((await h.request(await h.customerToken(premier.id), { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, channel: 'phone' } })).statusCode, 201)

  const now = h.clock.now().getTime()
  const lapsed = await h.createOrg('premier', { subscription: { status: 'active', termStart: new Date(now - 400 * 86_400_000).toISOString(), termEnd: new Date(now - 86_400_000).toISOString() } })
  const canceled = await h.createOrg('premier', { subscription: { status: 'canceled', termStart: new Date(now - 30 * 86_400_000).toISOString(), termEnd: new Date(now + 300 * 86_400_000).toISOString() } })
  for (const o of [lapsed, canceled]) {
    const res = await h.request(await h.customerToken(o.id), { method: 'POST', url: '/v1/tickets', payload: TICKET_BODY })
    t.equal(res.statusCode, 403)
    t.equal(res.json().code, 'subscription-inactive')
    t.match(res.json().detail, /current paying subscribers/)
  }
  const unknown = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, organizationId: org.id, status: 'closed' } })
  t.equal(unknown.statusCode, 400)
  t.equal(unknown.json().code, 'validation-failed')
  const tooLong = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, organizationId: org.id, subject: 'x'.repeat(201) } })
  t.equal(tooLong.statusCode, 400)
  const nowhere = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, organizationId: '00000000-0000-4000-8000-000000000000' } })
  t.equal(nowhere.statusCode, 404)
})

t.test('GET with ETag; If-None-Match gives 304', async (t) => {
  const org = await h.createOrg('enhanced')
  const tok = await h.customerToken(org.id)
  const tk = await openTicket(h, tok)
  const res = await h.request(tok, { method: 'GET', url: `/v1/tickets/${tk.id}` })
  t.equal(res.statusCode, 200)
  t.equal(res.headers.etag, '"1"')
  const same = await h.request(tok, { method: 'GET', url: `/v1/tickets/${tk.id}`, headers: { 'if-none-match': '"1"' } })
  t.equal(same.statusCode, 304)
  t.equal(same.body, '')
  await comment(h, await h.agentToken(), tk.id, { body: 'Looking into it' })
  const changed = await h.request(tok, { method: 'GET', url: `/v1/tickets/${tk.id}`, headers: { 'if-none-match': '"1"' } })
  t.equal(changed.statusCode, 200, 'a comment moved the version on')
  t.equal(changed.headers.etag, '"2"')
  const missing = await h.request(tok, { method: 'GET', url: '/v1/tickets/00000000-0000-4000-8000-000000000000' })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'not-found')
})

t.test('PATCH: role matrix, If-Match/412, before/after in the audit trail', async (t) => {
  const org = await h.createOrg('enhanced')
  const cust = await h.customerToken(org.id)
  const agent = await h.agentToken()
  const tk = await openTicket(h, cust)

  const own = await h.request(cust, { method: 'PATCH', url: `/v1/tickets/${tk.id}`, headers: { 'if-match': '"1"' }, payload: { subject: 'Reports missing since Monday', description: 'More detail' } })
  t.equal(own.statusCode, 200, own.body)
  t.equal(own.headers.etag, '"2"')
  t.match(own.json(), { subject: 'Reports missing since Monday', description: 'More detail', version: 2 })

  for (const payload of [{ assigneeId: 'agent-1' }, { category: 'dns' }, { subject: 'x', assigneeId: 'agent-1' }]) {
    const res = await h.request(cust, { method: 'PATCH', url: `/v1/tickets/${tk.id}`, payload })
    t.equal(res.statusCode, 403, JSON.stringify(payload))
    t.equal(res.json().code, 'field-not-allowed')
  }
  t.equal((await getTicket(h, cust, tk.id)).version, 2, 'refusals change nothing')

  const stale = await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${tk.id}`, headers: { 'if-match': '"1"' }, payload: { assigneeId: 'agent-1' } })
  t.equal(stale.statusCode, 412)
  t.match(stale.json(), { code: 'precondition-failed', currentVersion: 2 })
  t.equal((await getTicket(h, agent, tk.id)).assigneeId, null, 'a stale write changes nothing')

  const staff = await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${tk.id}`, headers: { 'if-match': '"2"' }, payload: { assigneeId: 'agent-1', category: 'dns' } })
  t.equal(staff.statusCode, 200, staff.body)
  t.match(staff.json(), { assigneeId: 'agent-1', category: 'dns', version: 3 })
  const noop = await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${tk.id}`, payload: { assigneeId: 'agent-1' } })
  t.equal(noop.statusCode, 200)
  t.equal(noop.json().version, 3, 'nothing changed: same version')

  const unknown = await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${tk.id}`, payload: { status: 'closed' } })
  t.equal(unknown.statusCode, 400)
  const empty = await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${tk.id}`, payload: {} })
  t.equal(empty.statusCode, 400)

  const updates = (await events(h, agent, tk.id)).filter((e) => e.type === 'ticket.updated')
  t.equal(updates.length, 2)
  t.match(updates[0], { resource: { version: 2 }, actor: { role: 'customer' }, data: { changedFields: ['subject', 'description'], before: { subject: TICKET_BODY.subject }, after: { subject: 'Reports missing since Monday' } } })
  t.match(updates[1], { resource: { version: 3 }, actor: { id: 'agent-1', role: 'agent' }, data: { before: { assigneeId: null, category: null }, after: { assigneeId: 'agent-1', category: 'dns' } } })
})

t.test('list: filters, newest first, keyset pages without duplicates or gaps, tied cursors', async (t) => {
  const org = await h.createOrg('premier')
  const other = await h.createOrg('premier')
  const agent = await h.agentToken()
  const cust = await h.customerToken(org.id)
  const base = h.clock.now().getTime()
  const ids: string[] = []
  for (let i = 0; i < 7; i++) {
    // two tickets share each createdAt: the id breaks the tie
    h.clock.set(new Date(base + Math.floor(i / 2) * 60_000))
    ids.push((await openTicket(h, cust, { severity: i % 2 === 0 ? 'urgent' : 'low', channel: i === 6 ? 'phone' : 'portal' })).id)
  }
  await openTicket(h, await h.customerToken(other.id))
  h.clock.set(new Date(base + 10 * 60_000))

  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const res = await h.request(cust, { method: 'GET', url: `/v1/tickets?limit=2${cursor === null ? '' : `&cursor=${cursor}`}` })
    t.equal(res.statusCode, 200, res.body)
    seen.push(...res.json().items.map((x: { id: string }) => x.id))
    cursor = res.json().nextCursor
    pages++
  } while (cursor !== null)
  t.equal(pages, 4)
  t.same(new Set(seen), new Set(ids), 'the customer sees exactly its organization\'s tickets')
  t.equal(new Set(seen).size, seen.length, 'no duplicates')
  const all = (await h.request(cust, { method: 'GET', url: '/v1/tickets?limit=100' })).json().items
  t.same(all.map((x: { id: string }) => x.id), seen, 'same order as one big page')
  for (let i = 1; i < all.length; i++) {
    const [a, b] = [all[i - 1], all[i]]
    t.ok(a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id), 'createdAt desc, id desc')
  }

  const q = async (query: string, token = agent): Promise<string[]> => {
    const res = await h.request(token, { method: 'GET', url: `/v1/tickets?organizationId=${org.id}&limit=100&${query}` })
    t.equal(res.statusCode, 200, `${query}: ${res.body}`)
    return res.json().items.map((x: { id: string }) => x.id)
  }
  t.equal((await q('severity=urgent')).length, 4)
  t.equal((await q('priority=P3')).length, 3)
  t.same(await q('channel=phone'), [ids[6]])
  t.equal((await q('status=open')).length, 7)
  t.equal((await q('status=closed')).length, 0)
  t.equal((await q(`createdAfter=${encodeURIComponent(new Date(base + 60_000).toISOString())}`)).length, 5, 'createdAfter is inclusive')
  t.equal((await q(`createdBefore=${encodeURIComponent(new Date(base + 60_000).toISOString())}`)).length, 2, 'createdBefore is exclusive')
  t.equal((await q(`updatedAfter=${encodeURIComponent(new Date(base + 3 * 60_000).toISOString())}`)).length, 1)
  await h.request(agent, { method: 'PATCH', url: `/v1/tickets/${ids[0]}`, payload: { assigneeId: 'agent-9' } })
  t.same(await q('assigneeId=agent-9'), [ids[0]])
  t.same(await q('assigneeId=agent-9&status=open&severity=urgent&channel=portal&priority=P1'), [ids[0]], 'filters combine')

  // slaStatus at request time: Premier P1 is 1 h on 24/7, P3 is 24 BH. 10 minutes in, everything is on track.
  t.equal((await q('slaStatus=on_track')).length, 7)
  h.clock.set(new Date(base + 50 * 60_000))
  t.equal((await q('slaStatus=at_risk')).length, 4, 'P1 tickets with < 15 min left')
  await comment(h, agent, ids[0] as string, { body: 'On it' })
  t.same(await q('slaStatus=met'), [ids[0]])
  h.clock.set(new Date(base + 2 * 3_600_000))
  t.equal((await q('slaStatus=breached')).length, 3, 'unanswered P1s past due')
  t.equal((await q('slaStatus=on_track')).length, 3, 'P3s')

  const wrongFilter = await h.request(cust, { method: 'GET', url: `/v1/tickets?severity=urgent&cursor=${encodeURIComponent((await h.request(cust, { method: 'GET', url: '/v1/tickets?limit=1' })).json().nextCursor)}` })
  t.equal(wrongFilter.statusCode, 400, 'a cursor is tied to its filters')
  t.equal(wrongFilter.json().code, 'invalid-cursor')
  const tampered = await h.request(cust, { method: 'GET', url: '/v1/tickets?cursor=bm90LWEtY3Vyc29y' })
  t.equal(tampered.statusCode, 400)
  t.equal(tampered.json().code, 'invalid-cursor')
  const badLimit = await h.request(cust, { method: 'GET', url: '/v1/tickets?limit=101' })
  t.equal(badLimit.statusCode, 400)
  const foreign = await h.request(cust, { method: 'GET', url: `/v1/tickets?organizationId=${other.id}` })
  t.equal(foreign.statusCode, 404, 'a customer naming another organization')
  const ownNamed = await h.request(cust, { method: 'GET', url: `/v1/tickets?organizationId=${org.id}&limit=100` })
  t.equal(ownNamed.json().items.length, 7)
})
