import t, { type Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { buildTestApp } from '../helpers/app.js'

const h = await buildTestApp(t)
const admin = await h.adminToken()

function assertProblem (t: Test, res: LightMyRequestResponse, status: number, code: string): Record<string, any> {
  t.equal(res.statusCode, status, res.body)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  const body = res.json()
  t.match(body, { type: `https://support-desk.dev/problems/${code}`, title: String, status, detail: String, code })
  t.notMatch(res.body, /\bat .+\.(ts|js):\d+/, 'no stack trace')
  t.notMatch(res.body, /\b(select|insert|update)\b.*\bfrom\b/i, 'no SQL')
  return body
}

const validOrg = { name: 'X', plan: 'basic', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } }

t.test('400 validation: lists the offending fields', async (t) => {
  const res = await h.request(admin, { method: 'POST', url: '/v1/organizations', payload: { ...validOrg, plan: 'gold', name: '' } })
  const body = assertProblem(t, res, 400, 'validation-failed')
  t.ok(Array.isArray(body.errors) && body.errors.length > 0)
  t.match(body.errors[0], { path: String, message: String })
})

t.test('400 on a bad query parameter and on a bad path id', async (t) => {
  assertProblem(t, await h.request(admin, { method: 'GET', url: '/v1/organizations?limit=0' }), 400, 'validation-failed')
  assertProblem(t, await h.request(admin, { method: 'GET', url: '/v1/organizations?limit=abc' }), 400, 'validation-failed')
  const bad = assertProblem(t, await h.request(admin, { method: 'GET', url: '/v1/organizations/not-a-uuid' }), 400, 'validation-failed')
  t.match(bad.errors, [{ path: /^params/ }])
})

t.test('400 on malformed JSON', async (t) => {
  const res = await h.request(admin, { method: 'POST', url: '/v1/organizations', headers: { 'content-type': 'application/json' }, payload: '{"name": ' })
  assertProblem(t, res, 400, 'malformed-request')
})

t.test('401, 403, 404 are problems', async (t) => {
  assertProblem(t, await h.app.inject({ method: 'GET', url: '/v1/organizations' }), 401, 'unauthenticated')
  assertProblem(t, await h.request(await h.agentToken(), { method: 'POST', url: '/v1/organizations', payload: validOrg }), 403, 'forbidden')
  assertProblem(t, await h.request(admin, { method: 'GET', url: '/v1/organizations/00000000-0000-4000-8000-000000000000' }), 404, 'not-found')
  assertProblem(t, await h.app.inject({ method: 'GET', url: '/no-such-route' }), 404, 'not-found')
})

t.test('412 on a stale If-Match, and a malformed If-Match', async (t) => {
  const org = await h.createOrg('basic')
  assertProblem(t, await h.request(admin, { method: 'PATCH', url: `/v1/organizations/${org.id}`, headers: { 'if-match': '"7"' }, payload: { name: 'Y' } }), 412, 'precondition-failed')
  assertProblem(t, await h.request(admin, { method: 'PATCH', url: `/v1/organizations/${org.id}`, headers: { 'if-match': 'W/"1"' }, payload: { name: 'Y' } }), 412, 'precondition-failed')
})

t.test('413 for a body over 1 MiB', async (t) => {
  const res = await h.request(admin, { method: 'POST', url: '/v1/organizations', payload: { ...validOrg, name: 'x'.repeat(1024 * 1024 + 10) } })
  assertProblem(t, res, 413, 'payload-too-large')
})

t.test('415 for an unsupported content type', async (t) => {
  const res = await h.request(admin, { method: 'POST', url: '/v1/organizations', headers: { 'content-type': 'text/plain' }, payload: 'hello' })
  assertProblem(t, res, 415, 'unsupported-media-type')
})

t.test('422 for a policy rule', async (t) => {
  const res = await h.request(admin, { method: 'POST', url: '/v1/organizations', payload: { ...validOrg, subscription: { termStart: '2026-01-01T00:00:00.000Z', termEnd: '2026-01-01T00:00:00.000Z' } } })
  assertProblem(t, res, 422, 'invalid-subscription-term')
})

t.test('text the database cannot store (NUL, unpaired surrogates) is a 400, in bodies, query strings and paths', async (t) => {
  const nulBody = await h.request(admin, { method: 'POST', url: '/v1/organizations', payload: { ...validOrg, name: 'a\u0000b' } })
  const body = assertProblem(t, nulBody, 400, 'validation-failed')
  t.match(body.errors, [{ path: '/name' }])
  const surrogate = await h.request(admin, { method: 'POST', url: '/v1/organizations', headers: { 'content-type': 'application/json' }, payload: '{"name":"a\\ud800","plan":"basic","subscription":{"termStart":"2020-01-01T00:00:00.000Z","termEnd":"2099-01-01T00:00:00.000Z"}}' })
  assertProblem(t, surrogate, 400, 'validation-failed')
  const paired = await h.request(admin, { method: 'POST', url: '/v1/organizations', payload: { ...validOrg, name: 'emoji \ud83d\ude00 ok' } })
  t.equal(paired.statusCode, 201, 'a proper surrogate pair (emoji) is fine')
  assertProblem(t, await h.request(admin, { method: 'GET', url: '/v1/organizations?cursor=%00' }), 400, 'validation-failed')
  assertProblem(t, await h.request(admin, { method: 'GET', url: '/v1/calendars/%00x' }), 400, 'validation-failed')
})

t.test('a hand-edited cursor with a valid fingerprint is a 400, not a database error', async (t) => {
  await h.createOrg('basic')
  await h.createOrg('basic')
  const first = await h.request(admin, { method: 'GET', url: '/v1/organizations?limit=1' })
  const cursor = first.json().nextCursor as string
  const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString())
  for (const p of [['garbage', decoded.p[1]], [decoded.p[0], 'not-a-uuid'], [1.5, decoded.p[1]], ['2026-02-30T00:00:00.000Z', decoded.p[1]]]) {
    const forged = Buffer.from(JSON.stringify({ ...decoded, p })).toString('base64url')
    assertProblem(t, await h.request(admin, { method: 'GET', url: `/v1/organizations?limit=1&cursor=${forged}` }), 400, 'invalid-cursor')
  }
})

t.test('dates that are not real instants are 400 (leap second, Feb 30, year 0, far future)', async (t) => {
  for (const termEnd of ['2026-06-30T23:59:60Z', '2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-01-01T25:00:00Z']) {
    const res = await h.request(admin, { method: 'POST', url: '/v1/organizations', payload: { ...validOrg, subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd } } })
    assertProblem(t, res, 400, 'validation-failed')
  }
  assertProblem(t, await h.request(admin, { method: 'GET', url: '/v1/calendars/business-hours-with-holidays/holidays/2026-02-30' }), 400, 'validation-failed')
  const offset = await h.request(admin, { method: 'POST', url: '/v1/organizations', payload: { ...validOrg, subscription: { termStart: '2020-01-01T00:00:00-08:00', termEnd: '2099-01-01T00:00:00+05:30' } } })
  t.equal(offset.statusCode, 201, 'offsets are fine')
})

t.test('router-level refusals are problems too (undecodable URL, over-long path parameter)', async (t) => {
  assertProblem(t, await h.request(admin, { method: 'GET', url: '/v1/organizations/%E0%A4%A' }), 400, 'malformed-request')
  assertProblem(t, await h.request(admin, { method: 'GET', url: `/v1/organizations/${'a'.repeat(300)}` }), 400, 'validation-failed')
})
