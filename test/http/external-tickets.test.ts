import t from 'tap'
import { sql } from 'drizzle-orm'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildTestApp, onPostgres } from '../helpers/app.js'

const h = await buildTestApp(t)

const BODY = {
  subject: 'DMARC reports stopped arriving',
  description: 'Mirrored from Jira.',
  severity: 'high',
  channel: 'portal',
  requester: { name: 'Dana Reyes', email: 'dana@acme.example' },
  url: 'https://acme.atlassian.net/browse/SUP-1'
}

const put = async (token: string, orgId: string, system: string, externalId: string, payload: Record<string, unknown>, headers: Record<string, string> = {}, app?: FastifyInstance): Promise<LightMyRequestResponse> => {
  const opts = { method: 'PUT' as const, url: `/v1/organizations/${orgId}/external-tickets/${system}/${encodeURIComponent(externalId)}`, headers: { authorization: `Bearer ${token}`, ...headers }, payload }
  return app === undefined ? await h.request(null, opts) : await app.inject(opts)
}
const ticketCount = async (orgId: string, system: string, externalId: string): Promise<{ refs: number; tickets: number }> => {
  const [refs] = await h.database.rows<{ n: number }>(sql`select count(*)::int as n from ticket_external_refs where organization_id = ${orgId} and system = ${system} and external_id = ${externalId}`)
  const [tickets] = await h.database.rows<{ n: number }>(sql`select count(*)::int as n from tickets where organization_id = ${orgId}`)
  return { refs: Number(refs?.n), tickets: Number(tickets?.n) }
}
const ticketEvents = async (ticketId: string): Promise<string[]> =>
  (await h.database.rows<{ type: string }>(sql`select type from events where ticket_id = ${ticketId} order by id`)).map((r) => r.type)

const org = await h.createOrg('enhanced')
const agent = await h.agentToken()

t.test('absent → 201 creates the ticket with the reference; the same PUT again → 200, no new version, no event', async (t) => {
  const created = await put(agent, org.id, 'jira', 'SUP-1', BODY)
  t.equal(created.statusCode, 201, created.body)
  const ticket = created.json()
  t.equal(created.headers.location, `/v1/tickets/${ticket.id}`)
  t.equal(created.headers.etag, '"1"')
  t.same(ticket.externalRefs, [{ system: 'jira', externalId: 'SUP-1', url: BODY.url }])
  t.match(ticket, { subject: BODY.subject, severity: 'high', priority: 'P2', status: 'open', organizationId: org.id, version: 1 })
  const again = await put(agent, org.id, 'jira', 'SUP-1', BODY)
  t.equal(again.statusCode, 200)
  t.equal(again.headers.etag, '"1"')
  t.equal(again.headers.location, undefined)
  t.equal(again.json().id, ticket.id)
  t.same(await ticketEvents(ticket.id), ['ticket.created'], 'a PUT that changes nothing writes no event')
  const got = await h.request(agent, { method: 'GET', url: `/v1/tickets/${ticket.id}` })
  t.same(got.json().externalRefs, ticket.externalRefs, 'GET shows the reference')
})

t.test('present → 200 updates the integrator fields; creation-only fields are ignored', async (t) => {
  const first = (await put(agent, org.id, 'jira', 'SUP-2', BODY)).json()
  const res = await put(agent, org.id, 'jira', 'SUP-2', { ...BODY, subject: 'Renamed in Jira', category: 'reporting', severity: 'low', channel: 'email', url: 'https://acme.atlassian.net/browse/SUP-2' })
  t.equal(res.statusCode, 200, res.body)
  const updated = res.json()
  t.equal(updated.id, first.id)
  t.equal(updated.version, 2)
  t.equal(res.headers.etag, '"2"')
  t.equal(updated.subject, 'Renamed in Jira')
  t.equal(updated.category, 'reporting')
  t.equal(updated.severity, 'high', 'severity unchanged (its own action)')
  t.equal(updated.channel, 'portal', 'channel unchanged')
  t.same(updated.externalRefs, [{ system: 'jira', externalId: 'SUP-2', url: 'https://acme.atlassian.net/browse/SUP-2' }])
  const [event] = await h.database.rows<{ data: { changedFields: string[] } }>(sql`select data from events where ticket_id = ${first.id} and type = 'ticket.updated'`)
  t.same(event?.data.changedFields.sort(), ['category', 'externalRefs', 'subject'])
})

t.test('If-Match: stale → 412 and nothing changes; current → 200; on an absent reference → 412 and nothing is created; If-None-Match: * creates only', async (t) => {
  const first = (await put(agent, org.id, 'jira', 'SUP-3', BODY)).json()
  const stale = await put(agent, org.id, 'jira', 'SUP-3', { ...BODY, subject: 'Stale write' }, { 'if-match': '"7"' })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().code, 'precondition-failed')
  t.equal((await h.request(agent, { method: 'GET', url: `/v1/tickets/${first.id}` })).json().subject, BODY.subject)
  const ok = await put(agent, org.id, 'jira', 'SUP-3', { ...BODY, subject: 'Conditional write' }, { 'if-match': '"1"' })
  t.equal(ok.statusCode, 200)
  t.equal(ok.json().subject, 'Conditional write')
  const before = await ticketCount(org.id, 'jira', 'SUP-404')
  const absent = await put(agent, org.id, 'jira', 'SUP-404', BODY, { 'if-match': '"1"' })
  t.equal(absent.statusCode, 412)
  t.same(await ticketCount(org.id, 'jira', 'SUP-404'), before, 'nothing created')
  const createOnly = await put(agent, org.id, 'jira', 'SUP-3', BODY, { 'if-none-match': '*' })
  t.equal(createOnly.statusCode, 412)
  const fresh = await put(agent, org.id, 'jira', 'SUP-5', BODY, { 'if-none-match': '*' })
  t.equal(fresh.statusCode, 201)
})

t.test('GET /v1/tickets?externalSystem=&externalId= finds the one ticket; both parameters go together', async (t) => {
  const created = (await put(agent, org.id, 'zendesk', '4711', { ...BODY, url: null })).json()
  await put(agent, org.id, 'zendesk', '4712', BODY)
  const found = await h.request(agent, { method: 'GET', url: '/v1/tickets?externalSystem=zendesk&externalId=4711' })
  t.equal(found.statusCode, 200, found.body)
  t.same(found.json().items.map((x: { id: string }) => x.id), [created.id])
  t.same(found.json().items[0].externalRefs, [{ system: 'zendesk', externalId: '4711', url: null }])
  const none = await h.request(agent, { method: 'GET', url: '/v1/tickets?externalSystem=zendesk&externalId=nope' })
  t.same(none.json().items, [])
  const withOrg = await h.request(agent, { method: 'GET', url: `/v1/tickets?externalSystem=zendesk&externalId=4711&organizationId=${org.id}&status=open` })
  t.equal(withOrg.json().items.length, 1, 'combines with the other filters')
  const half = await h.request(agent, { method: 'GET', url: '/v1/tickets?externalSystem=zendesk' })
  t.equal(half.statusCode, 400)
  t.equal(half.json().code, 'validation-failed')
})

t.test('tenancy: customers upsert into their own organization; another organization is 404; the same reference in two organizations names two tickets', async (t) => {
  const other = await h.createOrg('enhanced')
  const customerA = await h.customerToken(org.id)
  const customerB = await h.customerToken(other.id)
  const a = await put(customerA, org.id, 'crm', 'CASE-9', BODY)
  t.equal(a.statusCode, 201, a.body)
  t.match(a.json().createdBy, { role: 'customer' })
  const foreign = await put(customerA, other.id, 'crm', 'CASE-9', BODY)
  t.equal(foreign.statusCode, 404)
  const b = await put(customerB, other.id, 'crm', 'CASE-9', BODY)
  t.equal(b.statusCode, 201)
  t.not(b.json().id, a.json().id)
  const lookup = await h.request(customerA, { method: 'GET', url: '/v1/tickets?externalSystem=crm&externalId=CASE-9' })
  t.same(lookup.json().items.map((x: { id: string }) => x.id), [a.json().id], 'a customer finds only its own')
  const staff = await h.request(agent, { method: 'GET', url: '/v1/tickets?externalSystem=crm&externalId=CASE-9' })
  t.equal(staff.json().items.length, 2, 'staff find both')
  // a customer may re-send the category it cannot change, but not change it
  const same = await put(customerA, org.id, 'crm', 'CASE-9', { ...BODY, category: null })
  t.equal(same.statusCode, 200)
  const change = await put(customerA, org.id, 'crm', 'CASE-9', { ...BODY, category: 'billing' })
  t.equal(change.statusCode, 403)
  t.equal(change.json().code, 'field-not-allowed')
})

t.test('creation follows the ticket rules: inactive subscription 403, channel not in plan 422; bad path or body 400', async (t) => {
  const lapsed = await h.createOrg('premier', { subscription: { status: 'canceled', termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } })
  const inactive = await put(agent, lapsed.id, 'jira', 'X-1', BODY)
  t.equal(inactive.statusCode, 403)
  t.equal(inactive.json().code, 'subscription-inactive')
  const basic = await h.createOrg('basic')
  const phone = await put(agent, basic.id, 'jira', 'X-2', { ...BODY, channel: 'phone' })
  t.equal(phone.statusCode, 422)
  t.equal(phone.json().code, 'channel-not-in-plan')
  t.same(await ticketCount(basic.id, 'jira', 'X-2'), { refs: 0, tickets: 0 })
  const badSystem = await put(agent, org.id, 'Not Valid', 'X-3', BODY)
  t.equal(badSystem.statusCode, 400)
  const extra = await put(agent, org.id, 'jira', 'X-4', { ...BODY, assigneeId: 'agent-1' })
  t.equal(extra.statusCode, 400)
  const missing = await put(agent, org.id, 'jira', 'X-5', { subject: 'only a subject' })
  t.equal(missing.statusCode, 400)
})

t.test(`concurrent upserts of one reference ${onPostgres ? 'across 3 replicas on PostgreSQL' : 'on PGlite (serialised)'} never create two tickets`, async (t) => {
  const target = await h.createOrg('premier')
  const apps = onPostgres ? [h.app, await h.replica(), await h.replica()] : [h.app]
  const results = await Promise.all(Array.from({ length: 20 }, async (_, i) =>
    await put(agent, target.id, 'jira', 'RACE-1', { ...BODY, description: i % 2 === 0 ? 'even' : 'odd' }, {}, apps[i % apps.length])))
  const statuses = results.map((r) => r.statusCode)
  t.notOk(statuses.some((s) => s >= 500), `no 5xx: ${statuses.join(',')}`)
  t.equal(statuses.filter((s) => s === 201).length, 1, 'exactly one created')
  t.equal(statuses.filter((s) => s === 200).length, 19, 'the others updated')
  t.equal(new Set(results.map((r) => r.json().id)).size, 1, 'all name the same ticket')
  t.same(await ticketCount(target.id, 'jira', 'RACE-1'), { refs: 1, tickets: 1 })
  const [created] = await h.database.rows<{ n: number }>(sql`select count(*)::int as n from events where organization_id = ${target.id} and type = 'ticket.created'`)
  t.equal(Number(created?.n), 1, 'one ticket.created event: the losers\' rolled back with their transaction')
})

t.test('the change feed carries the upsert with its reference', async (t) => {
  const res = await put(agent, org.id, 'jira', 'FEED-1', BODY)
  const ticket = res.json()
  const page = await h.request(agent, { method: 'GET', url: `/v1/events?types=ticket.created&organizationId=${org.id}&limit=500` })
  const event = page.json().items.find((e: { resource: { id: string } }) => e.resource.id === ticket.id)
  t.match(event, { type: 'ticket.created', resource: { type: 'ticket', id: ticket.id, version: 1 }, data: { externalRef: { system: 'jira', externalId: 'FEED-1' } } })
})

t.test('a customer of a lapsed organization cannot change a ticket through the upsert either (403 subscription-inactive); staff still can', async (t) => {
  const lapsing = await h.createOrg('enhanced')
  const customer = await h.customerToken(lapsing.id, 'lapsing-customer')
  const created = await put(customer, lapsing.id, 'crm', 'L-1', BODY)
  t.equal(created.statusCode, 201, created.body)
  const lapse = await h.request(await h.adminToken(), { method: 'PATCH', url: `/v1/organizations/${lapsing.id}`, payload: { subscription: { status: 'past_due' } } })
  t.equal(lapse.statusCode, 200)
  const refused = await put(customer, lapsing.id, 'crm', 'L-1', { ...BODY, subject: 'Changed while lapsed' })
  t.equal(refused.statusCode, 403, refused.body)
  t.equal(refused.json().code, 'subscription-inactive')
  const got = await h.request(agent, { method: 'GET', url: `/v1/tickets/${created.json().id}` })
  t.equal(got.json().subject, BODY.subject, 'nothing changed')
  const staff = await put(agent, lapsing.id, 'crm', 'L-1', { ...BODY, subject: 'Wrapped up by staff' })
  t.equal(staff.statusCode, 200, staff.body)
})
