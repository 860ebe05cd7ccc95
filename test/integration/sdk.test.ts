/**
 * An integrator's scenario through a client generated from the committed contract (openapi/openapi.json):
 * types by openapi-typescript (`npm run sdk:generate` → test/generated/api.d.ts, not committed), calls by
 * openapi-fetch against a real listening server. `make test` generates the types before `tsc`, so a contract change
 * that breaks SDK users fails the build here.
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import createClient from 'openapi-fetch'
import type { paths, components } from '../generated/api.js'
import { ensureGeneratedClient } from '../helpers/sdk.js'
import { buildTestApp } from '../helpers/app.js'

ensureGeneratedClient()

const h = await buildTestApp(t)
await h.app.listen({ port: 0, host: '127.0.0.1' })
const baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`

const clientFor = (token: string) => createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${token}` } })
const admin = clientFor(await h.adminToken())
const agent = clientFor(await h.agentToken('sdk-agent'))

type Ticket = components['schemas']['Ticket']
type Problem = components['schemas']['Problem']
type ChangeEvent = components['schemas']['ChangeEvent']

const newKey = (): string => `sdk-${randomBytes(8).toString('hex')}`
const etag = (response: Response): string => response.headers.get('etag') ?? ''

t.test('integrator scenario over HTTP with the generated client', async (t) => {
  // 1. create with an Idempotency-Key, and retry as after a timeout
  const orgKey = newKey()
  const orgBody = { name: `SDK Org ${randomBytes(3).toString('hex')}`, plan: 'premier' as const, subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } }
  const org = await admin.POST('/v1/organizations', { params: { header: { 'idempotency-key': orgKey } }, body: orgBody })
  t.equal(org.response.status, 201)
  const orgId = org.data?.id ?? ''
  const orgRetry = await admin.POST('/v1/organizations', { params: { header: { 'idempotency-key': orgKey } }, body: orgBody })
  t.equal(orgRetry.response.status, 201)
  t.equal(orgRetry.response.headers.get('idempotent-replayed'), 'true')
  t.same(orgRetry.data, org.data, 'the retry replays the same organization')

  const ticketKey = newKey()
  const ticketBody = { organizationId: orgId, subject: 'Bounces from one provider', description: 'Since 09:00.', severity: 'high' as const, channel: 'phone' as const, requester: { name: 'Dana Reyes', email: 'dana@acme.example' } }
  const created = await agent.POST('/v1/tickets', { params: { header: { 'idempotency-key': ticketKey } }, body: ticketBody })
  t.equal(created.response.status, 201, JSON.stringify(created.error))
  const ticket: Ticket | undefined = created.data
  const retried = await agent.POST('/v1/tickets', { params: { header: { 'idempotency-key': ticketKey } }, body: ticketBody })
  t.equal(retried.response.headers.get('idempotent-replayed'), 'true')
  t.equal(retried.data?.id, ticket?.id, 'no second ticket')
  const reused = await agent.POST('/v1/tickets', { params: { header: { 'idempotency-key': ticketKey } }, body: { ...ticketBody, subject: 'Another one' } })
  const reusedProblem: Problem | undefined = reused.error
  t.equal(reused.response.status, 422)
  t.equal(reusedProblem?.code, 'idempotency-key-reused')

  // 2. upsert by external reference: create, then update
  const path = { organizationId: orgId, system: 'jira', externalId: 'SUP-77' }
  const upsertBody = { subject: 'Mirrored from Jira', description: 'SUP-77', severity: 'medium' as const, channel: 'portal' as const, requester: { name: 'Sam Lee', email: 'sam@acme.example' }, url: 'https://acme.atlassian.net/browse/SUP-77' }
  const upserted = await agent.PUT('/v1/organizations/{organizationId}/external-tickets/{system}/{externalId}', { params: { path }, body: upsertBody })
  t.equal(upserted.response.status, 201)
  t.same(upserted.data?.externalRefs, [{ system: 'jira', externalId: 'SUP-77', url: upsertBody.url }])
  const again = await agent.PUT('/v1/organizations/{organizationId}/external-tickets/{system}/{externalId}', { params: { path }, body: { ...upsertBody, subject: 'Renamed in Jira' } })
  t.equal(again.response.status, 200)
  t.equal(again.data?.id, upserted.data?.id)
  t.equal(again.data?.subject, 'Renamed in Jira')
  const found = await agent.GET('/v1/tickets', { params: { query: { externalSystem: 'jira', externalId: 'SUP-77' } } })
  t.same(found.data?.items.map((x) => x.id), [upserted.data?.id])

  // 3. page the change feed to its head
  const seen: ChangeEvent[] = []
  let after: string | undefined
  for (;;) {
    const page = await agent.GET('/v1/events', { params: { query: { organizationId: orgId, limit: 2, ...(after === undefined ? {} : { after }) } } })
    t.equal(page.response.status, 200)
    if (page.data === undefined) break
    seen.push(...page.data.items)
    after = page.data.nextCursor
    if (!page.data.hasMore) break
  }
  t.same(seen.map((e) => e.type), ['organization.created', 'ticket.created', 'ticket.created', 'ticket.updated'], 'every change of the organization, once, in order')
  t.equal(seen[1]?.resource.id, ticket?.id)
  const head = await agent.GET('/v1/events', { params: { query: { organizationId: orgId, after } } })
  t.same(head.data?.items, [], 'at the head: nothing new')
  t.equal(head.data?.hasMore, false)

  // 4. PATCH with If-Match, and handle a 412 by refetching
  const ticketId = ticket?.id ?? ''
  const first = await agent.PATCH('/v1/tickets/{ticketId}', { params: { path: { ticketId }, header: { 'if-match': etag(created.response) } }, body: { assigneeId: 'sdk-agent' } })
  t.equal(first.response.status, 200)
  t.equal(etag(first.response), '"2"')
  const stale = await agent.PATCH('/v1/tickets/{ticketId}', { params: { path: { ticketId }, header: { 'if-match': etag(created.response) } }, body: { category: 'bounces' } })
  t.equal(stale.response.status, 412)
  t.equal(stale.error?.code, 'precondition-failed')
  const fresh = await agent.GET('/v1/tickets/{ticketId}', { params: { path: { ticketId } } })
  const retry = await agent.PATCH('/v1/tickets/{ticketId}', { params: { path: { ticketId }, header: { 'if-match': etag(fresh.response) } }, body: { category: 'bounces' } })
  t.equal(retry.response.status, 200)
  t.equal(retry.data?.category, 'bounces')
  t.equal(retry.data?.assigneeId, 'sdk-agent', 'the first change is kept')
  t.match(retry.response.headers.get('ratelimit') ?? '', /^limit=\d+, remaining=\d+, reset=\d+$/)
})

t.test('batch upsert with original contact times through the generated client (issue 15)', async (t) => {
  const org = await admin.POST('/v1/organizations', { body: { name: `SDK Batch ${randomBytes(3).toString('hex')}`, plan: 'enhanced', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } } })
  const organizationId = org.data?.id ?? ''
  const receivedAt = new Date(Date.now() - 3_600_000).toISOString()
  const requester = { name: 'Sam Lee', email: 'sam@acme.example' }
  const items = [
    { system: 'zendesk', externalId: 'ZD-100', subject: 'Synced', description: 'From Zendesk', severity: 'high' as const, channel: 'web_form' as const, requester, receivedAt },
    { system: 'zendesk', externalId: 'ZD-101', subject: 'Synced', description: 'From Zendesk', severity: 'low' as const, channel: 'phone' as const, requester }
  ]
  const key = newKey()
  const res = await agent.POST('/v1/organizations/{organizationId}/external-tickets/batch', { params: { path: { organizationId }, header: { 'idempotency-key': key } }, body: { items } })
  t.equal(res.response.status, 200)
  const results = res.data?.results ?? []
  t.same(results.map((r) => r.status), [201, 422])
  t.equal(results[0]?.ticket?.receivedAt, receivedAt)
  t.equal(results[0]?.ticket?.sla.clockStartedAt, receivedAt)
  t.equal(results[1]?.problem?.code, 'channel-not-in-plan')
  const replay = await agent.POST('/v1/organizations/{organizationId}/external-tickets/batch', { params: { path: { organizationId }, header: { 'idempotency-key': key } }, body: { items } })
  t.equal(replay.response.headers.get('idempotent-replayed'), 'true')
  t.same(replay.data, res.data)
})

t.test('agent console through the generated client: deadline queue, counts, search, tags, SLA attainment', async (t) => {
  const org = await admin.POST('/v1/organizations', { params: { header: { 'idempotency-key': newKey() } }, body: { name: `Console Org ${randomBytes(3).toString('hex')}`, plan: 'premier', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } } })
  const organizationId = org.data?.id ?? ''
  const open = async (severity: 'urgent' | 'low', subject: string, tags: string[]): Promise<Ticket | undefined> =>
    (await agent.POST('/v1/tickets', { params: { header: { 'idempotency-key': newKey() } }, body: { organizationId, subject, description: 'Seen by the console', severity, channel: 'portal', requester: { name: 'Dana Reyes', email: 'dana@acme.example' }, tags } })).data
  const later = await open('low', 'Invoice address change', ['billing'])
  const soon = await open('urgent', 'Kerberos handshake failing', ['sso', 'vip'])

  const queue = await agent.GET('/v1/tickets', { params: { query: { organizationId, sort: 'slaDueAt', limit: 1 } } })
  t.same(queue.data?.items.map((x) => x.id), [soon?.id], 'breaches next: the P1 first')
  const next = await agent.GET('/v1/tickets', { params: { query: { organizationId, sort: 'slaDueAt', limit: 1, cursor: queue.data?.nextCursor ?? undefined } } })
  t.same(next.data?.items.map((x) => x.id), [later?.id])

  const counts = await agent.GET('/v1/tickets/counts', { params: { query: { organizationId, groupBy: 'priority' } } })
  t.same(counts.data, { groups: [{ key: 'P1', count: 1 }, { key: 'P3', count: 1 }], total: 2 })

  const found = await agent.GET('/v1/tickets', { params: { query: { organizationId, q: 'kerberos', tag: ['vip'] } } })
  t.same(found.data?.items.map((x) => [x.id, x.tags]), [[soon?.id, ['sso', 'vip']]])

  const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
  const report = await agent.GET('/v1/reports/sla-attainment', { params: { query: { from: day(-7), to: day(1), organizationId, groupBy: 'priority' } } })
  t.equal(report.response.status, 200)
  const json = typeof report.data === 'string' ? undefined : report.data // the operation also offers text/csv
  t.same(json?.rows.map((r) => [r.priority, r.cycles, r.owed]), [['P1', 1, 1], ['P3', 1, 1]])
})
