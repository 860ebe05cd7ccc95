import { randomBytes } from 'node:crypto'
import t from 'tap'
import { sql } from 'drizzle-orm'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import { DomainError } from '../../src/domain/errors.js'
import { purgeExpiredKeys } from '../../src/db/repositories/idempotency.js'
import type { AppContext } from '../../src/application/context.js'
import { canonicalJson, IN_TRANSACTION, STALE_AFTER_MS } from '../../src/http/plugins/idempotency.js'
import { buildTestApp, onPostgres } from '../helpers/app.js'

const h = await buildTestApp(t)

const orgBody = (name: string) => ({ name, plan: 'enhanced', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } })
const uniqueName = (prefix: string) => `${prefix} ${randomBytes(4).toString('hex')}`
const key = () => `key-${randomBytes(8).toString('hex')}`
const countOrgs = async (name: string): Promise<number> => {
  const rows = await h.database.rows<{ n: number }>(sql`select count(*)::int as n from organizations where name = ${name}`)
  return Number(rows[0]?.n)
}
const createOrg = async (token: string, idemKey: string, body: unknown, app?: FastifyInstance): Promise<LightMyRequestResponse> => {
  const opts = { method: 'POST' as const, url: '/v1/organizations', headers: { authorization: `Bearer ${token}`, 'idempotency-key': idemKey }, payload: body as Record<string, unknown> }
  return app === undefined ? await h.request(null, opts) : await app.inject(opts)
}

/** a second app over the same database with test-only routes, to exercise the infrastructure's edge cases */
const calls = { boom: 0, refuse: 0, slow: 0, item: 0, committed: 0 }
let releaseSlow: () => void = () => {}
let slowGate = Promise.resolve()
const lab = await buildApp(h.config, { database: h.database, now: h.clock.now, docsUi: false })
lab.post('/v1/lab/boom', async (_request, reply) => {
  calls.boom++
  if (calls.boom === 1) throw new Error('transient failure')
  return await reply.code(201).send({ attempt: calls.boom })
})
lab.post('/v1/lab/refuse', async () => {
  calls.refuse++
  throw new DomainError('invalid-subscription-term', `refused on call ${calls.refuse}`)
})
lab.post('/v1/lab/slow', async (_request, reply) => {
  calls.slow++
  const n = calls.slow
  await slowGate
  return await reply.code(201).send({ call: n })
})
lab.post('/v1/lab/items/:itemId', async (request, reply) => {
  calls.item++
  return await reply.code(201).send({ item: (request.params as { itemId: string }).itemId, call: calls.item })
})
// commits a write in its own transaction (request.ctx.transaction, like every use case), then fails before answering: the response is lost
lab.post('/v1/lab/commit-then-fail', async (request) => {
  calls.committed++
  const marker = (request.body as { marker: string }).marker
  await request.ctx.transaction(async (tx) => {
    await tx.execute(sql`insert into lab_effects (marker) values (${marker})`)
  })
  throw new Error('lost after commit')
})
// a transaction that rolls back (a domain refusal inside it): nothing took effect
lab.post('/v1/lab/rollback', async (request) => {
  const marker = (request.body as { marker: string }).marker
  await request.ctx.transaction(async (tx) => {
    await tx.execute(sql`insert into lab_effects (marker) values (${marker})`)
    throw new Error('rolled back')
  })
})
// the same cases on routes that claim their key inside their first transaction (config IN_TRANSACTION, issue 15)
const txCalls = { effect: 0, refuseBefore: 0, refuseInside: 0, committed: 0, slow: 0, once: 0 }
const insertEffect = async (ctx: AppContext, marker: string): Promise<void> => {
  await ctx.transaction(async (tx) => { await tx.execute(sql`insert into lab_effects (marker) values (${marker})`) })
}
lab.post('/v1/lab/tx/effect', { config: IN_TRANSACTION }, async (request, reply) => {
  const n = ++txCalls.effect
  await insertEffect(request.ctx, (request.body as { marker: string }).marker)
  return await reply.code(201).header('location', `/v1/lab/effects/${n}`).send({ call: n })
})
lab.post('/v1/lab/tx/refuse-before', { config: IN_TRANSACTION }, async () => {
  txCalls.refuseBefore++
  throw new DomainError('invalid-subscription-term', `refused before any transaction on call ${txCalls.refuseBefore}`)
})
lab.post('/v1/lab/tx/refuse-inside', { config: IN_TRANSACTION }, async (request) => {
  txCalls.refuseInside++
  await request.ctx.transaction(async (tx) => {
    await tx.execute(sql`insert into lab_effects (marker) values (${(request.body as { marker: string }).marker})`)
    throw new DomainError('invalid-subscription-term', `refused inside the transaction on call ${txCalls.refuseInside}`)
  })
})
lab.post('/v1/lab/tx/commit-then-fail', { config: IN_TRANSACTION }, async (request) => {
  txCalls.committed++
  await insertEffect(request.ctx, (request.body as { marker: string }).marker)
  throw new Error('lost after commit')
})
lab.post('/v1/lab/tx/rollback', { config: IN_TRANSACTION }, async (request) => {
  await request.ctx.transaction(async (tx) => {
    await tx.execute(sql`insert into lab_effects (marker) values (${(request.body as { marker: string }).marker})`)
    throw new Error('rolled back')
  })
})
// a write that can happen once (a primary key): a retry's transaction fails on it, behind its claim, and must still get the
// first answer (the replay), not the database error its use case ran into
lab.post('/v1/lab/tx/once', { config: IN_TRANSACTION }, async (request, reply) => {
  const n = ++txCalls.once
  await request.ctx.transaction(async (tx) => { await tx.execute(sql`insert into lab_once (marker) values (${(request.body as { marker: string }).marker})`) })
  return await reply.code(201).send({ call: n })
})
// its write is checked only at COMMIT (a deferred unique constraint): the COMMIT can fail after the answer was prepared
lab.post('/v1/lab/tx/deferred', { config: IN_TRANSACTION }, async (request, reply) => {
  const marker = (request.body as { marker: string }).marker
  await request.ctx.transaction(async (tx) => {
    await tx.execute(sql`insert into lab_effects (marker) values (${marker})`)
    await tx.execute(sql`insert into lab_deferred (marker) values (${marker})`)
  })
  return await reply.code(201).header('location', `/v1/lab/deferred/${marker}`).send({ marker })
})
// two transactions: the second lets the first (held) commit before it starts, and the answer is stored afterwards
lab.post('/v1/lab/tx/two', { config: IN_TRANSACTION }, async (request, reply) => {
  const marker = (request.body as { marker: string }).marker
  await insertEffect(request.ctx, marker)
  await insertEffect(request.ctx, marker)
  return await reply.code(201).send({ marker, call: ++txCalls.effect })
})
let txSlowGate = Promise.resolve()
lab.post('/v1/lab/tx/slow', { config: IN_TRANSACTION }, async (request, reply) => {
  const n = ++txCalls.slow
  await request.ctx.transaction(async (tx) => {
    await tx.execute(sql`insert into lab_effects (marker) values (${(request.body as { marker: string }).marker})`)
    await txSlowGate
  })
  return await reply.code(201).send({ call: n })
})
await h.database.db.execute(sql`create table if not exists lab_effects (marker text not null)`)
await h.database.db.execute(sql`create table if not exists lab_once (marker text primary key)`)
await h.database.db.execute(sql`create table if not exists lab_deferred (marker text, constraint lab_deferred_once unique (marker) deferrable initially deferred)`)
await lab.ready()
t.teardown(async () => { await lab.close() })
const effects = async (marker: string): Promise<number> =>
  Number((await h.database.rows<{ n: number }>(sql`select count(*)::int as n from lab_effects where marker = ${marker}`))[0]?.n)
const claimState = async (idemKey: string): Promise<string | undefined> =>
  (await h.database.rows<{ state: string }>(sql`select state from idempotency_keys where idempotency_key = ${idemKey}`))[0]?.state
const labPost = async (token: string, url: string, idemKey: string, payload: Record<string, unknown> = {}): Promise<LightMyRequestResponse> =>
  await lab.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}`, 'idempotency-key': idemKey }, payload })

t.test('canonical JSON sorts keys at every level and keeps array order', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }))
  t.not(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }))
})

t.test('5 sequential retries: one resource, byte-identical bodies, replays marked', async (t) => {
  const admin = await h.adminToken()
  const name = uniqueName('Idem five')
  const k = key()
  const responses: LightMyRequestResponse[] = []
  for (let i = 0; i < 5; i++) responses.push(await createOrg(admin, k, orgBody(name)))
  for (const [i, res] of responses.entries()) {
    t.equal(res.statusCode, 201, res.body)
    t.equal(res.body, responses[0]?.body, `body ${i} identical`)
    t.equal(res.headers.location, responses[0]?.headers.location)
    t.equal(res.headers.etag, '"1"')
    t.match(res.headers['content-type'], /application\/json/)
    t.equal(res.headers['idempotent-replayed'], i === 0 ? undefined : 'true')
  }
  t.equal(await countOrgs(name), 1, 'exactly one organization')
})

t.test('same key with another body → 422 idempotency-key-reused; nothing created', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const first = await createOrg(admin, k, orgBody(uniqueName('Idem body')))
  t.equal(first.statusCode, 201)
  const otherName = uniqueName('Idem other body')
  const second = await createOrg(admin, k, orgBody(otherName))
  t.equal(second.statusCode, 422)
  t.equal(second.json().code, 'idempotency-key-reused')
  t.match(second.headers['content-type'], /application\/problem\+json/)
  t.equal(await countOrgs(otherName), 0)
})

t.test('the same body with keys in another order is the same request (canonical JSON)', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const name = uniqueName('Idem order')
  const first = await createOrg(admin, k, { plan: 'basic', name, subscription: { termEnd: '2099-01-01T00:00:00.000Z', termStart: '2020-01-01T00:00:00.000Z' } })
  const again = await createOrg(admin, k, { subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' }, name, plan: 'basic' })
  t.equal(first.statusCode, 201)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.equal(again.body, first.body)
})

t.test('same key from two callers (token subjects) → independent requests (organizations: see the tickets test below)', async (t) => {
  const k = key()
  const callers = [
    await h.token({ sub: 'admin-x', roles: ['admin'] }),
    await h.token({ sub: 'admin-y', roles: ['admin'] })
  ]
  const ids = new Set<string>()
  for (const token of callers) {
    const name = uniqueName('Idem caller')
    const res = await createOrg(token, k, orgBody(name))
    t.equal(res.statusCode, 201, res.body)
    t.equal(res.headers['idempotent-replayed'], undefined, 'not a replay of another caller')
    ids.add(res.json().id)
    t.equal(await countOrgs(name), 1)
  }
  t.equal(ids.size, 2, 'two independent resources')
})

t.test('the same key on another route is independent', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const org = await createOrg(admin, k, orgBody(uniqueName('Idem route')))
  t.equal(org.statusCode, 201)
  const other = await labPost(admin, '/v1/lab/items/one', k, orgBody('x'))
  t.equal(other.statusCode, 201)
  t.equal(other.headers['idempotent-replayed'], undefined)
  t.equal(other.json().item, 'one')
})

t.test('the same key and body on another resource path of the same route → 422 (the path is part of the request)', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const one = await labPost(admin, '/v1/lab/items/one', k)
  t.equal(one.statusCode, 201)
  const two = await labPost(admin, '/v1/lab/items/two', k)
  t.equal(two.statusCode, 422)
  t.equal(two.json().code, 'idempotency-key-reused')
})

t.test('a request refused by validation is not stored: the key stays free', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const invalid = await createOrg(admin, k, { name: '', plan: 'gold' })
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().code, 'validation-failed')
  const name = uniqueName('Idem after invalid')
  const valid = await createOrg(admin, k, orgBody(name))
  t.equal(valid.statusCode, 201, valid.body)
  t.equal(valid.headers['idempotent-replayed'], undefined)
  t.equal(await countOrgs(name), 1)
  const tooLong = await createOrg(admin, 'k'.repeat(256), orgBody(name))
  t.equal(tooLong.statusCode, 400, 'a key over 255 characters is a validation failure')
})

t.test('a 4xx domain refusal is stored: the retry gets the same answer without running again', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const before = calls.refuse
  const first = await labPost(admin, '/v1/lab/refuse', k)
  const retry = await labPost(admin, '/v1/lab/refuse', k)
  t.equal(first.statusCode, 422)
  t.equal(retry.statusCode, 422)
  t.equal(retry.body, first.body, 'byte-identical problem')
  t.match(retry.headers['content-type'], /application\/problem\+json/)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(calls.refuse, before + 1, 'handler ran once')
})

t.test('a 5xx releases the key: the retry runs again and its success is stored', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const first = await labPost(admin, '/v1/lab/boom', k)
  t.equal(first.statusCode, 500)
  const retry = await labPost(admin, '/v1/lab/boom', k)
  t.equal(retry.statusCode, 201)
  t.same(retry.json(), { attempt: 2 })
  const again = await labPost(admin, '/v1/lab/boom', k)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.same(again.json(), { attempt: 2 })
  t.equal(calls.boom, 2)
})

t.test('a request whose transaction committed and whose response was lost never runs again: 409 in-use, then 409 idempotency-response-lost', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const marker = uniqueName('effect')
  const first = await labPost(admin, '/v1/lab/commit-then-fail', k, { marker })
  t.equal(first.statusCode, 500, 'the response is lost (a 5xx after the commit)')
  t.equal(await effects(marker), 1, 'the write committed')
  t.equal(await claimState(k), 'applied', 'the claim was marked inside the committed transaction, not released')
  const soon = await labPost(admin, '/v1/lab/commit-then-fail', k, { marker })
  t.equal(soon.statusCode, 409)
  t.equal(soon.json().code, 'idempotency-key-in-use', 'within the stale limit the owner may still be storing its answer')
  h.clock.advance(STALE_AFTER_MS + 1000)
  const later = await labPost(admin, '/v1/lab/commit-then-fail', k, { marker })
  t.equal(later.statusCode, 409)
  t.match(later.headers['content-type'], /^application\/problem\+json/)
  t.equal(later.json().code, 'idempotency-response-lost')
  t.equal(later.headers['retry-after'], undefined, 'not an invitation to retry')
  t.equal(calls.committed, 1, 'the handler never ran again')
  t.equal(await effects(marker), 1, 'nothing doubled')
  const other = await labPost(admin, '/v1/lab/commit-then-fail', k, { marker: 'another body' })
  t.equal(other.statusCode, 422, 'the same key with another body is still 422 idempotency-key-reused')
  calls.committed = 0
})

t.test('a transaction that rolled back leaves the claim in progress: the 5xx releases it and the retry runs', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const marker = uniqueName('rollback')
  const first = await labPost(admin, '/v1/lab/rollback', k, { marker })
  t.equal(first.statusCode, 500)
  t.equal(await effects(marker), 0)
  t.equal(await claimState(k), undefined, 'released: nothing took effect')
})

t.test('requests without a key run outside any commit scope, even on a route that takes keys', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const marker = uniqueName('nokey')
  const keyed = await labPost(admin, '/v1/lab/commit-then-fail', k, { marker })
  t.equal(keyed.statusCode, 500)
  const plain = await lab.inject({ method: 'POST', url: '/v1/lab/commit-then-fail', headers: { authorization: `Bearer ${admin}` }, payload: { marker } })
  t.equal(plain.statusCode, 500)
  t.equal(await effects(marker), 2, 'without a key a retry runs again (what a client without a key asks for)')
  calls.committed = 0
})

t.test('while the first request runs: 409 idempotency-key-in-use with Retry-After; afterwards a replay', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  slowGate = new Promise((resolve) => { releaseSlow = resolve })
  const first = labPost(admin, '/v1/lab/slow', k)
  // wait until the first request is inside its handler (it has claimed the key)
  while (calls.slow === 0) await new Promise((resolve) => setImmediate(resolve))
  const during = await labPost(admin, '/v1/lab/slow', k)
  t.equal(during.statusCode, 409)
  t.equal(during.json().code, 'idempotency-key-in-use')
  t.equal(during.headers['retry-after'], '1')
  t.equal(during.json().retryAfterSeconds, 1)
  releaseSlow()
  const done = await first
  t.equal(done.statusCode, 201)
  const after = await labPost(admin, '/v1/lab/slow', k)
  t.equal(after.headers['idempotent-replayed'], 'true')
  t.equal(after.body, done.body)
  calls.slow = 0
})

t.test('an in-progress claim older than the stale limit may be reclaimed; the stale owner cannot overwrite it', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  slowGate = new Promise((resolve) => { releaseSlow = resolve })
  const stuck = labPost(admin, '/v1/lab/slow', k)
  // wait until the handler awaits the closed gate (it reads the gate in the same tick as it counts the call)
  while (calls.slow === 0) await new Promise((resolve) => setImmediate(resolve))
  h.clock.advance(STALE_AFTER_MS + 1000)
  slowGate = Promise.resolve()
  const retry = await labPost(admin, '/v1/lab/slow', k)
  t.equal(retry.statusCode, 201, 'the retry reclaimed the key and ran')
  t.equal(retry.headers['idempotent-replayed'], undefined)
  releaseSlow()
  const late = await stuck
  t.equal(late.statusCode, 201, 'the stale owner still answers its own caller')
  const replay = await labPost(admin, '/v1/lab/slow', k)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.equal(replay.body, retry.body, 'the stored response is the reclaimer\'s, not the stale owner\'s')
  calls.slow = 0
})

t.test('keys expire after the TTL: then the key is free again, and expired rows are purged', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const first = await createOrg(admin, k, orgBody(uniqueName('Idem ttl')))
  t.equal(first.statusCode, 201)
  h.clock.advance(h.config.idempotencyTtlHours * 3_600_000 + 1000)
  const name = uniqueName('Idem ttl reuse')
  const reuse = await createOrg(admin, k, orgBody(name))
  t.equal(reuse.statusCode, 201, 'an expired key is reused in place for a new request')
  t.equal(reuse.headers['idempotent-replayed'], undefined)
  t.equal(await countOrgs(name), 1)
  h.clock.advance(h.config.idempotencyTtlHours * 3_600_000 + 1000)
  const purged = await purgeExpiredKeys(h.database.db, h.clock.now())
  t.ok(purged >= 1, `purged ${purged} expired keys`)
  const left = await h.database.rows<{ n: number }>(sql`select count(*)::int as n from idempotency_keys where expires_at <= ${h.clock.now().toISOString()}::timestamptz`)
  t.equal(Number(left[0]?.n), 0)
})

t.test(`20 concurrent requests with one key ${onPostgres ? 'across 3 replicas on PostgreSQL' : 'on PGlite (one connection: serialised, proves the replay path only)'} → one resource, no 5xx`, async (t) => {
  const apps = onPostgres ? [h.app, await h.replica(), await h.replica()] : [h.app]
  const admin = await h.adminToken()
  const k = key()
  const name = uniqueName('Idem concurrent')
  const results = await Promise.all(Array.from({ length: 20 }, async (_, i) => await createOrg(admin, k, orgBody(name), apps[i % apps.length])))
  const statuses = results.map((r) => r.statusCode)
  t.notOk(statuses.some((s) => s >= 500), `no 5xx: ${statuses.join(',')}`)
  const originals = results.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined)
  const replays = results.filter((r) => r.statusCode === 201 && r.headers['idempotent-replayed'] === 'true')
  const inUse = results.filter((r) => r.statusCode === 409)
  t.equal(originals.length, 1, 'exactly one request ran')
  t.equal(originals.length + replays.length + inUse.length, 20, 'the rest are replays or 409 in-use')
  for (const r of replays) t.equal(r.body, originals[0]?.body)
  for (const r of inUse) t.equal(r.json().code, 'idempotency-key-in-use')
  t.equal(await countOrgs(name), 1, 'exactly one organization')
  t.comment(`originals=${originals.length} replays=${replays.length} in-use=${inUse.length}`)
})

const TICKET = { subject: 'Bounces from one provider', description: 'Since 09:00.', severity: 'high', channel: 'portal', requester: { name: 'Dana Reyes', email: 'dana@acme.example' } }
const postTicket = async (token: string, idemKey: string, body: Record<string, unknown>): Promise<LightMyRequestResponse> =>
  await h.request(token, { method: 'POST', url: '/v1/tickets', headers: { 'idempotency-key': idemKey }, payload: body })
const ticketsWithSubject = async (subject: string): Promise<number> =>
  Number((await h.database.rows<{ n: number }>(sql`select count(*)::int as n from tickets where subject = ${subject}`))[0]?.n)

t.test('tickets: 5 retries create one ticket; the same key from two organizations (same subject claim) creates two; the key on another route is independent', async (t) => {
  const a = await h.createOrg('enhanced')
  const b = await h.createOrg('enhanced')
  const k = key()
  const subject = uniqueName('Idem ticket')
  const customerA = await h.customerToken(a.id, 'customer-1')
  const customerB = await h.customerToken(b.id, 'customer-1')
  const retries: LightMyRequestResponse[] = []
  for (let i = 0; i < 5; i++) retries.push(await postTicket(customerA, k, { ...TICKET, subject }))
  t.ok(retries.every((r) => r.statusCode === 201 && r.body === retries[0]?.body), 'five identical 201s')
  t.equal(await ticketsWithSubject(subject), 1)
  const inB = await postTicket(customerB, k, { ...TICKET, subject })
  t.equal(inB.statusCode, 201)
  t.equal(inB.headers['idempotent-replayed'], undefined)
  t.equal(inB.json().organizationId, b.id)
  t.equal(await ticketsWithSubject(subject), 2, 'one per organization')
  const admin = await h.adminToken()
  const ticketAsAdmin = await postTicket(admin, k, { ...TICKET, subject, organizationId: a.id })
  const orgAsAdmin = await createOrg(admin, k, orgBody(uniqueName('Idem same key other route')))
  t.equal(ticketAsAdmin.statusCode, 201)
  t.equal(orgAsAdmin.statusCode, 201, 'same caller, same key, other route: independent')
  t.equal(orgAsAdmin.headers['idempotent-replayed'], undefined)
})

t.test('in-transaction routes: retries take effect once and replay the first answer byte for byte', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const marker = uniqueName('tx effect')
  const answers: LightMyRequestResponse[] = []
  for (let i = 0; i < 4; i++) answers.push(await labPost(admin, '/v1/lab/tx/effect', k, { marker }))
  t.equal(answers[0]?.statusCode, 201)
  t.equal(answers[0]?.headers['idempotent-replayed'], undefined)
  for (const retry of answers.slice(1)) {
    t.equal(retry.statusCode, 201)
    t.equal(retry.body, answers[0]?.body, 'byte-identical body')
    t.equal(retry.headers.location, answers[0]?.headers.location, 'stored headers repeated')
    t.equal(retry.headers['idempotent-replayed'], 'true')
  }
  t.equal(await effects(marker), 1, 'one effect')
  t.equal(await claimState(k), 'completed')
  const other = await labPost(admin, '/v1/lab/tx/effect', k, { marker: 'another body' })
  t.equal(other.statusCode, 422)
  t.equal(other.json().code, 'idempotency-key-reused')
  t.equal(await effects('another body'), 0, 'the reused key wrote nothing')
})

t.test('in-transaction routes: a refusal before or inside the transaction is stored and replayed; it leaves no effect', async (t) => {
  const admin = await h.adminToken()
  const before = key()
  const first = await labPost(admin, '/v1/lab/tx/refuse-before', before)
  const again = await labPost(admin, '/v1/lab/tx/refuse-before', before)
  t.equal(first.statusCode, 422)
  t.equal(again.statusCode, 422)
  t.equal(again.body, first.body, 'the first refusal, byte for byte (not the second call\'s own)')
  t.equal(again.headers['idempotent-replayed'], 'true')
  const inside = key()
  const marker = uniqueName('tx refuse')
  const refused = await labPost(admin, '/v1/lab/tx/refuse-inside', inside, { marker })
  const retried = await labPost(admin, '/v1/lab/tx/refuse-inside', inside, { marker })
  t.equal(refused.statusCode, 422)
  t.equal(retried.body, refused.body)
  t.equal(retried.headers['idempotent-replayed'], 'true')
  t.equal(await effects(marker), 0, 'the refused transaction rolled back, claim and all')
})

t.test('in-transaction routes: the held key wins over what the use case decides behind it', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const marker = uniqueName('tx once')
  const first = await labPost(admin, '/v1/lab/tx/once', k, { marker })
  t.equal(first.statusCode, 201)
  const retry = await labPost(admin, '/v1/lab/tx/once', k, { marker })
  t.equal(retry.statusCode, 201, 'the replay, not the unique violation the handler ran into behind the claim')
  t.equal(retry.body, first.body)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(txCalls.once, 2, 'the retry ran up to its transaction')
  const fresh = await labPost(admin, '/v1/lab/tx/once', key(), { marker })
  t.equal(fresh.statusCode, 500, 'a new key runs the request: now it fails on the primary key')
  const rows = await h.database.rows<{ n: number }>(sql`select count(*)::int as n from lab_once where marker = ${marker}`)
  t.equal(Number(rows[0]?.n), 1)
})

t.test('in-transaction routes: committed then lost → 409 in-use, then response-lost; a rollback leaves the key free', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const marker = uniqueName('tx lost')
  const first = await labPost(admin, '/v1/lab/tx/commit-then-fail', k, { marker })
  t.equal(first.statusCode, 500)
  t.equal(await claimState(k), 'applied', 'the claim committed with the write')
  const soon = await labPost(admin, '/v1/lab/tx/commit-then-fail', k, { marker })
  t.equal(soon.statusCode, 409)
  t.equal(soon.json().code, 'idempotency-key-in-use')
  t.equal(soon.headers['retry-after'], '1')
  h.clock.advance(STALE_AFTER_MS + 1000)
  const later = await labPost(admin, '/v1/lab/tx/commit-then-fail', k, { marker })
  t.equal(later.statusCode, 409)
  t.equal(later.json().code, 'idempotency-response-lost')
  t.equal(await effects(marker), 1, 'nothing doubled')

  const r = key()
  const rolled = uniqueName('tx rollback')
  const failed = await labPost(admin, '/v1/lab/tx/rollback', r, { marker: rolled })
  t.equal(failed.statusCode, 500)
  t.equal(await claimState(r), undefined, 'no row: the claim rolled back with the transaction')
  t.equal(await effects(rolled), 0)
  const retry = await labPost(admin, '/v1/lab/tx/effect', r, { marker: rolled })
  t.equal(retry.statusCode, 201, 'the key is free (on another route, here)')
})

t.test(`in-transaction routes: a duplicate while the first runs ${onPostgres ? '(PostgreSQL: waits on the key, then 409 or the replay)' : '(PGlite: one connection, queued behind it)'}; one effect`, async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const marker = uniqueName('tx slow')
  let release: () => void = () => {}
  txSlowGate = new Promise((resolve) => { release = resolve })
  const before = txCalls.slow
  const first = labPost(admin, '/v1/lab/tx/slow', k, { marker })
  while (txCalls.slow === before) await new Promise((resolve) => setImmediate(resolve))
  const second = labPost(admin, '/v1/lab/tx/slow', k, { marker })
  await new Promise((resolve) => setTimeout(resolve, 50))
  release()
  const [a, b] = await Promise.all([first, second])
  t.equal(a.statusCode, 201)
  t.equal(a.headers['idempotent-replayed'], undefined)
  if (b.statusCode === 409) t.equal(b.json().code, 'idempotency-key-in-use')
  else {
    t.equal(b.statusCode, 201)
    t.equal(b.headers['idempotent-replayed'], 'true')
    t.equal(b.body, a.body)
  }
  t.equal(await effects(marker), 1, 'one effect')
  txSlowGate = Promise.resolve()
})

t.test('in-transaction routes: the answer is stored with the COMMIT; a COMMIT that fails turns the prepared answer into a 500 and leaves the key free', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const marker = uniqueName('tx deferred')
  await h.database.db.execute(sql`insert into lab_deferred (marker) values (${marker})`)
  const failed = await labPost(admin, '/v1/lab/tx/deferred', k, { marker })
  t.equal(failed.statusCode, 500, 'the COMMIT failed on the deferred constraint')
  t.match(failed.headers['content-type'], /^application\/problem\+json/)
  t.equal(failed.json().code, 'internal')
  t.equal(failed.headers.location, undefined, 'the prepared answer\'s headers are gone')
  t.equal(await effects(marker), 0, 'nothing committed')
  t.equal(await claimState(k), undefined, 'no claim: it rolled back with the writes')
  await h.database.db.execute(sql`delete from lab_deferred where marker = ${marker}`)
  const retry = await labPost(admin, '/v1/lab/tx/deferred', k, { marker })
  t.equal(retry.statusCode, 201, 'the retry runs')
  t.equal(retry.headers['idempotent-replayed'], undefined)
  t.equal(await claimState(k), 'completed', 'stored with the COMMIT')
  const replay = await labPost(admin, '/v1/lab/tx/deferred', k, { marker })
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.equal(replay.body, retry.body)
  t.equal(await effects(marker), 1)
})

t.test('in-transaction routes: a handler with two transactions commits the first before the second, and its answer is still stored', async (t) => {
  const admin = await h.adminToken()
  const k = key()
  const marker = uniqueName('tx two')
  const first = await labPost(admin, '/v1/lab/tx/two', k, { marker })
  t.equal(first.statusCode, 201)
  t.equal(await effects(marker), 2, 'both transactions committed')
  t.equal(await claimState(k), 'completed')
  const retry = await labPost(admin, '/v1/lab/tx/two', k, { marker })
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(retry.body, first.body)
  t.equal(await effects(marker), 2, 'nothing doubled')
})
