import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { comment, contactAttempts, getTicket, openTicket } from './tickets-helpers.js'

const h = await buildTestApp(t)
h.clock.set('2026-03-09T09:00:00-07:00')
const orgA = await h.createOrg('enhanced')
const orgB = await h.createOrg('enhanced')
const custA = await h.customerToken(orgA.id, 'customer-a')
const custB = await h.customerToken(orgB.id, 'customer-b')
const agent = await h.agentToken()
// an agent token scoped to organization A only sees A, like a customer
const scopedAgentA = await h.token({ sub: 'agent-a', roles: ['agent'], org_id: orgA.id })

// organization B: a ticket with a comment and a severity change, a closed one with a pending reopen request
const b = await openTicket(h, custB)
const bComment = await comment(h, agent, b.id, { body: 'hello' })
const bChange = (await h.request(agent, { method: 'POST', url: `/v1/tickets/${b.id}/severity-changes`, payload: { severity: 'urgent', reason: 'x' } })).json()
const bClosed = await openTicket(h, custB)
await contactAttempts(h, agent, bClosed.id, 3)
await h.request(agent, { method: 'POST', url: `/v1/tickets/${bClosed.id}/close`, payload: { reason: 'no_response' } })
const bRequest = (await h.request(custB, { method: 'POST', url: `/v1/tickets/${bClosed.id}/reopen-requests`, payload: { reason: 'please' } })).json()

const ROUTES: Array<{ method: 'GET' | 'POST' | 'PATCH'; route: string; url: string; payload?: Record<string, unknown> }> = [
  { method: 'GET', route: '/v1/tickets/{ticketId}', url: `/v1/tickets/${b.id}` },
  { method: 'PATCH', route: '/v1/tickets/{ticketId}', url: `/v1/tickets/${b.id}`, payload: { subject: 'mine now' } },
  { method: 'POST', route: '/v1/tickets/{ticketId}/close', url: `/v1/tickets/${b.id}/close`, payload: { reason: 'resolved' } },
  { method: 'GET', route: '/v1/tickets/{ticketId}/events', url: `/v1/tickets/${b.id}/events` },
  { method: 'GET', route: '/v1/tickets/{ticketId}/kb-links', url: `/v1/tickets/${b.id}/kb-links` },
  { method: 'GET', route: '/v1/tickets/{ticketId}/attachments', url: `/v1/tickets/${b.id}/attachments` },
  { method: 'POST', route: '/v1/tickets/{ticketId}/comments', url: `/v1/tickets/${b.id}/comments`, payload: { body: 'hi' } },
  { method: 'GET', route: '/v1/tickets/{ticketId}/comments', url: `/v1/tickets/${b.id}/comments` },
  { method: 'GET', route: '/v1/tickets/{ticketId}/comments/{commentId}', url: `/v1/tickets/${b.id}/comments/${bComment.id}` },
  { method: 'POST', route: '/v1/tickets/{ticketId}/severity-changes', url: `/v1/tickets/${b.id}/severity-changes`, payload: { severity: 'low', reason: 'x' } },
  { method: 'GET', route: '/v1/tickets/{ticketId}/severity-changes', url: `/v1/tickets/${b.id}/severity-changes` },
  { method: 'GET', route: '/v1/tickets/{ticketId}/severity-changes/{changeId}', url: `/v1/tickets/${b.id}/severity-changes/${bChange.id}` },
  { method: 'POST', route: '/v1/tickets/{ticketId}/reopen-requests', url: `/v1/tickets/${bClosed.id}/reopen-requests`, payload: { reason: 'x' } },
  { method: 'GET', route: '/v1/tickets/{ticketId}/reopen-requests', url: `/v1/tickets/${bClosed.id}/reopen-requests` },
  { method: 'GET', route: '/v1/reopen-requests/{requestId}', url: `/v1/reopen-requests/${bRequest.id}` },
  { method: 'POST', route: '/v1/reopen-requests/{requestId}/approve', url: `/v1/reopen-requests/${bRequest.id}/approve`, payload: {} },
  { method: 'POST', route: '/v1/reopen-requests/{requestId}/deny', url: `/v1/reopen-requests/${bRequest.id}/deny`, payload: { note: 'no' } },
  { method: 'GET', route: '/v1/tickets', url: `/v1/tickets?organizationId=${orgB.id}` },
  { method: 'GET', route: '/v1/tickets/counts', url: `/v1/tickets/counts?groupBy=status&organizationId=${orgB.id}` },
  { method: 'GET', route: '/v1/reopen-requests', url: `/v1/reopen-requests?organizationId=${orgB.id}` },
  { method: 'POST', route: '/v1/tickets', url: '/v1/tickets', payload: { organizationId: orgB.id, subject: 's', description: 'd', severity: 'low', channel: 'portal', requester: { name: 'n', email: 'n@x.example' } } }
]

t.test('every ticket route is covered by this table', async (t) => {
  const doc = h.app.swagger() as { paths: Record<string, Record<string, unknown>> }
  const documented: string[] = []
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v1/tickets') && !path.startsWith('/v1/reopen-requests')) continue
    for (const method of Object.keys(ops)) documented.push(`${method.toUpperCase()} ${path}`)
  }
  const covered = new Set(ROUTES.map((r) => `${r.method} ${r.route}`))
  for (const op of documented) t.ok(covered.has(op), `${op} is covered`)
  t.ok(documented.length >= 18)
})

t.test('a customer of organization A gets 404 (not 403) for organization B on every route, and nothing changes', async (t) => {
  const before = await getTicket(h, agent, b.id)
  for (const token of [custA, scopedAgentA]) {
    for (const r of ROUTES) {
      const res = await h.request(token, { method: r.method, url: r.url, ...(r.payload === undefined ? {} : { payload: r.payload }) })
      t.equal(res.statusCode, 404, `${r.method} ${r.url}`)
      t.equal(res.json().code, 'not-found')
    }
  }
  const after = await getTicket(h, agent, b.id)
  t.same(after, before, 'unchanged')
  const req = await h.request(agent, { method: 'GET', url: `/v1/reopen-requests/${bRequest.id}` })
  t.equal(req.json().status, 'pending')
  // and B's own customer sees them
  t.equal((await h.request(custB, { method: 'GET', url: `/v1/tickets/${b.id}` })).statusCode, 200)
  // A's list never shows B's tickets
  await openTicket(h, custA)
  const listA = (await h.request(custA, { method: 'GET', url: '/v1/tickets?limit=100' })).json().items
  t.ok(listA.length > 0 && listA.every((x: { organizationId: string }) => x.organizationId === orgA.id))
  const queueA = (await h.request(custA, { method: 'GET', url: '/v1/reopen-requests' })).json().items
  t.same(queueA, [])
  // nor do A's counts, search or deadline queue
  t.same((await h.request(custA, { method: 'GET', url: '/v1/tickets/counts?groupBy=status' })).json(), { groups: [{ key: 'open', count: 1 }], total: 1 })
  const queue = (await h.request(custA, { method: 'GET', url: '/v1/tickets?sort=slaDueAt&q=hello' })).json().items
  t.same(queue, [], 'the comment text of B\'s ticket does not match for A')
})

t.test('role checks within the organization: customers may not close, change severity or decide', async (t) => {
  const refused: Array<[string, string, Record<string, unknown>]> = [
    ['POST', `/v1/tickets/${b.id}/close`, { reason: 'resolved' }],
    ['POST', `/v1/tickets/${b.id}/severity-changes`, { severity: 'low', reason: 'x' }],
    ['POST', `/v1/reopen-requests/${bRequest.id}/approve`, {}],
    ['POST', `/v1/reopen-requests/${bRequest.id}/deny`, { note: 'x' }],
    ['PATCH', `/v1/tickets/${b.id}`, { assigneeId: 'customer-b' }]
  ]
  for (const [method, url, payload] of refused) {
    const res = await h.request(custB, { method: method as 'POST', url, payload })
    t.equal(res.statusCode, 403, `${method} ${url}`)
    t.match(res.json().code, /^(forbidden|field-not-allowed)$/)
  }
  const noToken = await h.request(null, { method: 'GET', url: `/v1/tickets/${b.id}` })
  t.equal(noToken.statusCode, 401)
  const badId = await h.request(agent, { method: 'GET', url: '/v1/tickets/not-a-uuid' })
  t.equal(badId.statusCode, 400)
})
