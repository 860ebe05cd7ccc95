import t from 'tap'
import { sql } from 'drizzle-orm'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildTestApp, onPostgres } from '../helpers/app.js'

/** issue 15: POST /v1/organizations/{organizationId}/external-tickets/batch */
const h = await buildTestApp(t)
const org = await h.createOrg('enhanced')
const other = await h.createOrg('premier')
const agent = await h.agentToken()

const item = (externalId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  system: 'zendesk',
  externalId,
  subject: `Synced ${externalId}`,
  description: 'Mirrored from Zendesk.',
  severity: 'medium',
  channel: 'web_form',
  requester: { name: 'Dana Reyes', email: 'dana@acme.example' },
  ...extra
})

const batch = async (token: string, orgId: string, items: unknown, headers: Record<string, string> = {}, app?: FastifyInstance): Promise<LightMyRequestResponse> => {
  const opts = { method: 'POST' as const, url: `/v1/organizations/${orgId}/external-tickets/batch`, headers: { authorization: `Bearer ${token}`, ...headers }, payload: { items } }
  return app === undefined ? await h.request(null, opts) : await app.inject(opts)
}
const count = async (orgId: string): Promise<{ tickets: number; refs: number; events: number }> => {
  const [r] = await h.database.rows<{ tickets: number; refs: number; events: number }>(sql`select
    (select count(*)::int from tickets where organization_id = ${orgId}) as tickets,
    (select count(*)::int from ticket_external_refs where organization_id = ${orgId}) as refs,
    (select count(*)::int from events where organization_id = ${orgId} and resource_type = 'ticket') as events`)
  return { tickets: Number(r?.tickets), refs: Number(r?.refs), events: Number(r?.events) }
}

t.test('a mixed batch: each item on its own, one result per item in order, refused items leave nothing', async (t) => {
  const { system: _s, externalId: _e, ...single } = item('ZD-1')
  const existing = await h.request(agent, { method: 'PUT', url: `/v1/organizations/${org.id}/external-tickets/zendesk/ZD-1`, payload: single })
  t.equal(existing.statusCode, 201)
  const before = await count(org.id)
  const res = await batch(agent, org.id, [
    item('ZD-2'), // new
    item('ZD-1', { subject: 'Renamed in Zendesk' }), // existing
    item('ZD-3', { severity: 'catastrophic' }), // invalid by schema
    item('ZD-4', { channel: 'phone' }), // against the plan (Enhanced has no phone)
    item('ZD-2', { subject: 'ZD-2 renamed in the same batch' }), // duplicate reference inside the batch
    item('ZD-5', { receivedAt: new Date(h.clock.now().getTime() + 3_600_000).toISOString() }), // future contact time
    item('ZD-1', { ifNoneMatch: '*' }), // create-only on an existing reference
    item('ZD-1', { ifMatch: '"1"' }), // stale: ZD-1 is at version 2 now
    { system: 'zendesk', externalId: 'ZD-6' } // missing fields
  ])
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  const { results } = res.json() as { results: Array<Record<string, any>> }
  t.same(results.map((r) => [r.index, r.externalId, r.status]), [
    [0, 'ZD-2', 201], [1, 'ZD-1', 200], [2, 'ZD-3', 400], [3, 'ZD-4', 422], [4, 'ZD-2', 200], [5, 'ZD-5', 422], [6, 'ZD-1', 412], [7, 'ZD-1', 412], [8, 'ZD-6', 400]
  ])
  t.equal(results[0]?.ticket.subject, 'Synced ZD-2')
  t.equal(results[1]?.ticket.id, existing.json().id, 'the existing reference is updated, not duplicated')
  t.equal(results[1]?.ticket.subject, 'Renamed in Zendesk')
  t.equal(results[4]?.ticket.id, results[0]?.ticket.id, 'a reference named twice: created by the first item, updated by the second')
  t.equal(results[4]?.ticket.version, 2)
  t.equal(results[2]?.problem.code, 'validation-failed')
  t.match(results[2]?.problem.errors, [{ path: '/items/2/severity' }])
  t.equal(results[3]?.problem.code, 'channel-not-in-plan')
  t.equal(results[5]?.problem.code, 'received-at-in-future')
  t.equal(results[6]?.problem.code, 'precondition-failed')
  t.equal(results[8]?.problem.code, 'validation-failed')
  for (const r of results.filter((x) => x.status >= 400)) {
    t.notOk('ticket' in r, 'a refused item has no ticket')
    t.match(r.problem, { type: `https://support-desk.dev/problems/${String(r.problem.code)}`, status: r.status, instance: `/v1/organizations/${org.id}/external-tickets/batch#/items/${String(r.index)}` })
  }
  const after = await count(org.id)
  t.same(after, { tickets: before.tickets + 1, refs: before.refs + 1, events: before.events + 3 }, 'one ticket created (ZD-2), three events (create, two updates); refused items left nothing')
})

t.test('the same rules and refusals as the single upsert: another organization is 404 for the request; customers act only for their own', async (t) => {
  const foreign = await batch(await h.customerToken(org.id), other.id, [item('X-1')])
  t.equal(foreign.statusCode, 404)
  t.equal(foreign.json().code, 'not-found')
  const missing = await batch(agent, '00000000-0000-4000-8000-000000000000', [item('X-1')])
  t.equal(missing.statusCode, 404)
  t.same(await count(other.id), { tickets: 0, refs: 0, events: 0 })
  const own = await batch(await h.customerToken(org.id), org.id, [item('C-1'), item('C-2', { receivedAt: new Date(h.clock.now().getTime() - 60_000).toISOString() })])
  t.equal(own.statusCode, 200)
  t.same(own.json().results.map((r: { status: number }) => r.status), [201, 403], 'a customer may not back-date (field-not-allowed)')
})

t.test('the envelope: 1–100 items and nothing else, else 400 for the request', async (t) => {
  for (const items of [[], Array.from({ length: 101 }, (_, i) => item(`E-${i}`)), 'x']) {
    const res = await batch(agent, org.id, items)
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'validation-failed')
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8')
  }
  const extra = await h.request(agent, { method: 'POST', url: `/v1/organizations/${org.id}/external-tickets/batch`, payload: { items: [item('E-1')], more: true } })
  t.equal(extra.statusCode, 400)
  t.equal((await count(org.id)).refs >= 0, true)
  const [row] = await h.database.rows<{ n: number }>(sql`select count(*)::int as n from ticket_external_refs where external_id like 'E-%'`)
  t.equal(Number(row?.n), 0, 'nothing was written')
})

t.test('one Idempotency-Key covers the whole batch: the retry replays the same results and writes nothing', async (t) => {
  const key = `batch-${Date.now()}`
  const items = [item('K-1'), item('K-2'), item('K-3', { channel: 'phone' })]
  const first = await batch(agent, org.id, items, { 'idempotency-key': key })
  t.equal(first.statusCode, 200)
  const before = await count(org.id)
  const retry = await batch(agent, org.id, items, { 'idempotency-key': key })
  t.equal(retry.statusCode, 200)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(retry.body, first.body, 'byte-identical replay')
  t.same(await count(org.id), before)
  const reused = await batch(agent, org.id, [item('K-9')], { 'idempotency-key': key })
  t.equal(reused.statusCode, 422)
  t.equal(reused.json().code, 'idempotency-key-reused')
})

t.test(`concurrent batches naming overlapping references ${onPostgres ? 'over two replicas' : 'on PGlite (serialised)'}: one ticket per reference`, async (t) => {
  const apps = onPostgres ? [h.app, await h.replica()] : [h.app]
  const refs = Array.from({ length: 30 }, (_, i) => `O-${i}`)
  const batches = Array.from({ length: 6 }, (_, b) => refs.filter((_, i) => (i + b) % 2 === 0 || i % 5 === b % 5).map((r) => item(r, { subject: `batch ${b} ${r}` })))
  const responses = await Promise.all(batches.map(async (items, b) => await batch(agent, org.id, items, {}, apps[b % apps.length])))
  for (const res of responses) {
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    for (const r of res.json().results) t.ok(r.status === 201 || r.status === 200, `${String(r.externalId)}: ${String(r.status)} ${JSON.stringify(r.problem ?? '')}`)
  }
  const created = responses.flatMap((res) => res.json().results.filter((r: { status: number }) => r.status === 201).map((r: { externalId: string }) => r.externalId)).sort()
  const named = [...new Set(batches.flat().map((i) => i.externalId as string))].sort()
  t.same(created, named, 'each reference was created exactly once')
  const rows = await h.database.rows<{ external_id: string; n: number }>(sql`select external_id, count(*)::int as n from ticket_external_refs where organization_id = ${org.id} and external_id like 'O-%' group by external_id`)
  t.equal(rows.length, named.length)
  t.ok(rows.every((r) => Number(r.n) === 1), 'one ticket per reference')
  const ids = new Map<string, Set<string>>()
  for (const res of responses) for (const r of res.json().results) ids.set(r.externalId, (ids.get(r.externalId) ?? new Set()).add(r.ticket.id))
  t.ok([...ids.values()].every((s) => s.size === 1), 'every result for a reference names the same ticket')
})
