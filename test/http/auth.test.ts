import t, { type Test } from 'tap'
import { SignJWT, generateKeyPair } from 'jose'
import { buildTestApp, ISSUER, AUDIENCE } from '../helpers/app.js'
import { mintToken } from '../../src/auth/keys.js'

const h = await buildTestApp(t)
const url = '/v1/organizations'

const expect401 = async (t: Test, token: string | null, headerValue?: string, detail?: RegExp) => {
  const res = await h.app.inject({ method: 'GET', url, headers: headerValue !== undefined ? { authorization: headerValue } : token === null ? {} : { authorization: `Bearer ${token}` } })
  t.equal(res.statusCode, 401, res.body)
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  t.match(res.headers['www-authenticate'], /^Bearer/)
  const body = res.json()
  t.match(body, { status: 401, type: /\/problems\/(unauthenticated|invalid-token)$/, title: String, detail: String, code: /^(unauthenticated|invalid-token)$/ })
  if (detail !== undefined) t.match(body.detail, detail)
  return body
}

t.test('no token → 401 unauthenticated with WWW-Authenticate: Bearer', async (t) => {
  const body = await expect401(t, null)
  t.equal(body.code, 'unauthenticated')
})

t.test('not a bearer scheme → 401', async (t) => {
  await expect401(t, null, 'Basic dXNlcjpwYXNz')
})

t.test('a valid agent token passes', async (t) => {
  const res = await h.request(await h.agentToken(), { method: 'GET', url })
  t.equal(res.statusCode, 200)
})

t.test('bad signature (another key) → 401 invalid-token', async (t) => {
  const { privateKey } = await generateKeyPair('ES256')
  const token = await mintToken(privateKey, { sub: 'x', roles: ['agent'] }, { issuer: ISSUER, audience: AUDIENCE })
  await expect401(t, token, undefined, /signature/)
})

t.test('algorithm not allowed (HS256 and RS256 when the key is ES256) → 401', async (t) => {
  const hs = await new SignJWT({ sub: 'x', roles: ['agent'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').sign(new TextEncoder().encode('a-shared-secret-that-is-long-enough-1234'))
  await expect401(t, hs, undefined, /algorithm/)
  const { privateKey } = await generateKeyPair('RS256')
  const rs = await mintToken(privateKey, { sub: 'x', roles: ['agent'] }, { issuer: ISSUER, audience: AUDIENCE, alg: 'RS256' })
  await expect401(t, rs, undefined, /algorithm/)
})

t.test('unsigned token (alg none) → 401', async (t) => {
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
  const payload = Buffer.from(JSON.stringify({ sub: 'x', roles: ['admin'], iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')
  await expect401(t, `${header}.${payload}.`)
})

t.test('wrong issuer or audience → 401', async (t) => {
  await expect401(t, await h.token({ roles: ['agent'] }, { issuer: 'someone-else' }), undefined, /iss/)
  await expect401(t, await h.token({ roles: ['agent'] }, { audience: 'another-api' }), undefined, /aud/)
})

t.test('expired beyond the clock skew → 401; within the skew → accepted', async (t) => {
  const now = Math.floor(Date.now() / 1000)
  await expect401(t, await h.token({ roles: ['agent'] }, { expiresIn: now - 120 }), undefined, /expired/)
  const withinSkew = await h.token({ roles: ['agent'], sub: 'skew' }, { expiresIn: now - 5 })
  const res = await h.request(withinSkew, { method: 'GET', url })
  t.equal(res.statusCode, 200)
})

t.test('not yet valid (nbf in the future) → 401', async (t) => {
  await expect401(t, await h.token({ roles: ['agent'], sub: 'nbf' }, { notBefore: Math.floor(Date.now() / 1000) + 600 }), undefined, /nbf/)
})

t.test('customer token without org_id → 401', async (t) => {
  await expect401(t, await h.token({ roles: ['customer'] }), undefined, /org_id/)
})

t.test('unknown role or malformed org_id → 401', async (t) => {
  await expect401(t, await h.token({ roles: ['superuser'] }), undefined, /roles/)
  await expect401(t, await h.token({ roles: ['customer'], org_id: 'not-a-uuid' }), undefined, /org_id/)
})

t.test('public policy reads need no token', async (t) => {
  for (const path of ['/v1/support-plans', '/v1/support-plans/premier', '/v1/severity-levels']) {
    const res = await h.app.inject({ method: 'GET', url: path })
    t.equal(res.statusCode, 200, path)
  }
})

t.test('an agent token scoped with org_id only sees that organization', async (t) => {
  const a = await h.createOrg('basic')
  const b = await h.createOrg('basic')
  const scoped = await h.token({ roles: ['agent'], org_id: a.id, sub: 'scoped-agent' })
  t.equal((await h.request(scoped, { method: 'GET', url: `/v1/organizations/${a.id}` })).statusCode, 200)
  t.equal((await h.request(scoped, { method: 'GET', url: `/v1/organizations/${b.id}` })).statusCode, 404)
  const list = await h.request(scoped, { method: 'GET', url: '/v1/organizations?limit=100' })
  t.same(list.json().items.map((o: { id: string }) => o.id), [a.id])
})

t.test('request id is accepted and echoed; a fresh one is generated otherwise', async (t) => {
  const given = await h.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } })
  t.equal(given.headers['x-request-id'], 'abc-123')
  const fresh = await h.app.inject({ method: 'GET', url: '/healthz' })
  t.match(fresh.headers['x-request-id'], /^[0-9a-f-]{36}$/)
  const hostile = await h.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } })
  t.not(hostile.headers['x-request-id'], 'bad id with spaces')
})

t.test('a token scoped with org_id may not act beyond its organization, even with the admin role', async (t) => {
  const a = await h.createOrg('basic')
  const scopedAdmin = await h.token({ roles: ['admin'], org_id: a.id, sub: 'scoped-admin' })
  const create = await h.request(scopedAdmin, { method: 'POST', url: '/v1/organizations', payload: { name: 'X', plan: 'basic', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } } })
  t.equal(create.statusCode, 403)
  t.equal(create.json().code, 'forbidden')
  const plan = await h.request(scopedAdmin, { method: 'PATCH', url: `/v1/organizations/${a.id}`, payload: { plan: 'premier' } })
  t.equal(plan.statusCode, 403)
  const holiday = await h.request(scopedAdmin, { method: 'PUT', url: '/v1/calendars/business-hours-with-holidays/holidays/2026-12-28', payload: { name: 'Extra day' } })
  t.equal(holiday.statusCode, 403)
  const stillThere = await h.request(await h.adminToken(), { method: 'GET', url: `/v1/organizations/${a.id}` })
  t.equal(stillThere.json().plan, 'basic')
})
