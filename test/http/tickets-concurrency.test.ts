import t from 'tap'
import { buildTestApp, onPostgres } from '../helpers/app.js'
import { events, getTicket, openTicket } from './tickets-helpers.js'

/**
 * Two replicas (two app instances with their own connection pools on PostgreSQL; on PGlite the same embedded database,
 * which serialises transactions) receive conflicting writes at the same moment. The row lock (SELECT … FOR UPDATE)
 * plus the version-checked UPDATE make exactly one of two PATCHes with the same If-Match win; the other gets 412.
 */
const h = await buildTestApp(t)
const replica = await h.replica()
h.clock.set('2026-03-09T09:00:00-07:00')
const org = await h.createOrg('premier')
const cust = await h.customerToken(org.id)
const agent = await h.agentToken()
const auth = { authorization: `Bearer ${agent}` }

t.test(`two concurrent PATCHes with the same If-Match: exactly one wins (${onPostgres ? 'PostgreSQL, two connection pools' : 'PGlite, serialised'})`, async (t) => {
  for (let round = 0; round < 10; round++) {
    const tk = await openTicket(h, cust)
    const [a, b] = await Promise.all([
      h.app.inject({ method: 'PATCH', url: `/v1/tickets/${tk.id}`, headers: { ...auth, 'if-match': '"1"' }, payload: { subject: 'from replica A' } }),
      replica.inject({ method: 'PATCH', url: `/v1/tickets/${tk.id}`, headers: { ...auth, 'if-match': '"1"' }, payload: { subject: 'from replica B' } })
    ])
    const statuses = [a.statusCode, b.statusCode].sort()
    t.same(statuses, [200, 412], `round ${round}: one 200, one 412`)
    const winner = a.statusCode === 200 ? a : b
    const loser = a.statusCode === 200 ? b : a
    t.equal(loser.json().code, 'precondition-failed')
    const now = await getTicket(h, agent, tk.id)
    t.equal(now.version, 2)
    t.equal(now.subject, winner.json().subject, 'the stored subject is the winner\'s')
    t.equal((await events(h, agent, tk.id)).filter((e) => e.type === 'ticket.updated').length, 1, 'one update event')
  }
})

t.test('concurrent comments without If-Match are all applied: no lost contact attempt', async (t) => {
  const tk = await openTicket(h, cust)
  const results = await Promise.all(Array.from({ length: 6 }, async (_, i) =>
    await (i % 2 === 0 ? h.app : replica).inject({ method: 'POST', url: `/v1/tickets/${tk.id}/comments`, headers: auth, payload: { body: `attempt ${i}`, awaitingCustomer: true } })))
  t.same(results.map((r) => r.statusCode), [201, 201, 201, 201, 201, 201])
  const now = await getTicket(h, agent, tk.id)
  t.match(now, { contactAttempts: 6, version: 7, status: 'pending_customer' })
  t.equal(results.filter((r) => r.json().firstResponse === true).length, 1, 'exactly one first response')
})

t.test('concurrent reopen requests: one pending at a time', async (t) => {
  const tk = await openTicket(h, cust)
  for (let i = 0; i < 3; i++) await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/comments`, payload: { body: `a${i}`, awaitingCustomer: true } })
  await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, payload: { reason: 'no_response' } })
  const results = await Promise.all(Array.from({ length: 4 }, async (_, i) =>
    await (i % 2 === 0 ? h.app : replica).inject({ method: 'POST', url: `/v1/tickets/${tk.id}/reopen-requests`, headers: { authorization: `Bearer ${cust}` }, payload: { reason: `r${i}` } })))
  t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409])
  t.ok(results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'reopen-request-pending'))
})
