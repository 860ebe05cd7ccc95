import t from 'tap'
import { enhancedDeskOnMonday, events, getTicket, openTicket, TICKET_BODY } from './tickets-helpers.js'

/** issue 15: the original contact time starts the first-response clock */
const { h, org, cust, agent } = await enhancedDeskOnMonday(t)
const MON = h.clock.now()
const hoursAgo = (n: number): string => new Date(MON.getTime() - n * 3_600_000).toISOString()

t.test('a back-dated ticket starts its clock at receivedAt; createdAt stays the insert time; both in the ticket and its event', async (t) => {
  h.clock.set(MON)
  const receivedAt = hoursAgo(2) // Monday 07:00 PDT, inside business hours
  const tk = await openTicket(h, agent, { organizationId: org.id, receivedAt })
  t.equal(tk.receivedAt, receivedAt)
  t.equal(tk.createdAt, MON.toISOString())
  t.equal(tk.sla.clockStartedAt, receivedAt)
  // the deadline is what a ticket opened at receivedAt gets
  h.clock.set(receivedAt)
  const reference = await openTicket(h, agent, { organizationId: org.id })
  h.clock.set(MON)
  t.equal(tk.sla.dueAt, reference.sla.dueAt, 'same deadline as a ticket opened at the contact time')
  const [created] = await events(h, agent, tk.id)
  t.equal(created?.type, 'ticket.created')
  t.equal(created?.data.after.receivedAt, receivedAt)
  t.equal(created?.data.after.createdAt, MON.toISOString())
  t.equal(created?.data.after.sla.clockStartedAt, receivedAt)
})

t.test('a ticket back-dated beyond its target is breached the moment it is created, and the slaStatus filter finds it', async (t) => {
  h.clock.set(MON)
  const receivedAt = '2026-03-05T09:00:00-08:00' // the Thursday before, PST
  const tk = await openTicket(h, agent, { organizationId: org.id, receivedAt, severity: 'urgent' })
  t.equal(tk.sla.status, 'breached')
  t.ok(new Date(tk.sla.dueAt).getTime() < MON.getTime())
  const list = await h.request(agent, { method: 'GET', url: `/v1/tickets?organizationId=${org.id}&slaStatus=breached` })
  t.ok(list.json().items.some((x: { id: string }) => x.id === tk.id))
  const fresh = await getTicket(h, cust, tk.id)
  t.equal(fresh.sla.status, 'breached')
})

t.test('without receivedAt the clock starts now and receivedAt = createdAt', async (t) => {
  h.clock.set(MON)
  const tk = await openTicket(h, cust)
  t.equal(tk.receivedAt, tk.createdAt)
  t.equal(tk.sla.clockStartedAt, tk.createdAt)
})

t.test('refusals: customers 403 field-not-allowed, future 422, older than 30 days 422; nothing is created', async (t) => {
  h.clock.set(MON)
  const before = (await h.request(agent, { method: 'GET', url: `/v1/tickets?organizationId=${org.id}&limit=100` })).json().items.length
  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    [cust, { receivedAt: hoursAgo(1) }, 403, 'field-not-allowed'],
    [agent, { organizationId: org.id, receivedAt: new Date(MON.getTime() + 1000).toISOString() }, 422, 'received-at-in-future'],
    [agent, { organizationId: org.id, receivedAt: new Date(MON.getTime() - 31 * 86_400_000).toISOString() }, 422, 'received-at-too-old']
  ]
  for (const [token, extra, status, code] of cases) {
    const res = await h.request(token, { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, ...extra } })
    t.equal(res.statusCode, status, res.body)
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.equal(res.json().code, code)
  }
  const exactly30 = await h.request(agent, { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, organizationId: org.id, receivedAt: new Date(MON.getTime() - 30 * 86_400_000).toISOString() } })
  t.equal(exactly30.statusCode, 201, 'exactly 30 days back is allowed')
  const after = (await h.request(agent, { method: 'GET', url: `/v1/tickets?organizationId=${org.id}&limit=100` })).json().items.length
  t.equal(after, before + 1, 'only the allowed ticket was created')
})

t.test('the external-ticket upsert takes receivedAt on create and ignores it afterwards', async (t) => {
  h.clock.set(MON)
  const url = `/v1/organizations/${org.id}/external-tickets/zendesk/ZD-77`
  const receivedAt = hoursAgo(1)
  const created = await h.request(agent, { method: 'PUT', url, payload: { ...TICKET_BODY, receivedAt } })
  t.equal(created.statusCode, 201, created.body)
  t.equal(created.json().receivedAt, receivedAt)
  t.equal(created.json().sla.clockStartedAt, receivedAt)
  const again = await h.request(agent, { method: 'PUT', url, payload: { ...TICKET_BODY, receivedAt: hoursAgo(3) } })
  t.equal(again.statusCode, 200)
  t.equal(again.json().receivedAt, receivedAt, 'creation-only')
  t.equal(again.json().version, 1, 'nothing changed')
  const future = await h.request(agent, { method: 'PUT', url: `/v1/organizations/${org.id}/external-tickets/zendesk/ZD-78`, payload: { ...TICKET_BODY, receivedAt: new Date(MON.getTime() + 60_000).toISOString() } })
  t.equal(future.statusCode, 422)
  t.equal(future.json().code, 'received-at-in-future')
})
