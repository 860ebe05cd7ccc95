import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

const h = await buildTestApp(t)

t.test('admin creates an organization; 201 with Location, ETag and subscription.current', async (t) => {
  const res = await h.request(await h.adminToken(), {
    method: 'POST',
    url: '/v1/organizations',
    payload: { name: 'Acme', plan: 'enhanced', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } }
  })
  t.equal(res.statusCode, 201, res.body)
  const body = res.json()
  t.equal(res.headers.location, `/v1/organizations/${body.id}`)
  t.equal(res.headers.etag, '"1"')
  t.equal(body.plan, 'enhanced')
  t.same(body.subscription, { status: 'active', termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z', current: true })
})

t.test('customers and agents may not create organizations (403 forbidden problem)', async (t) => {
  const org = await h.createOrg('basic')
  for (const token of [await h.agentToken(), await h.customerToken(org.id)]) {
    const res = await h.request(token, { method: 'POST', url: '/v1/organizations', payload: { name: 'X', plan: 'basic', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } } })
    t.equal(res.statusCode, 403)
    t.match(res.headers['content-type'], /application\/problem\+json/)
    t.equal(res.json().code, 'forbidden')
  }
})

t.test('term end before start is refused with invalid-subscription-term', async (t) => {
  const res = await h.request(await h.adminToken(), { method: 'POST', url: '/v1/organizations', payload: { name: 'X', plan: 'basic', subscription: { termStart: '2026-01-01T00:00:00.000Z', termEnd: '2025-01-01T00:00:00.000Z' } } })
  t.equal(res.statusCode, 422)
  t.equal(res.json().code, 'invalid-subscription-term')
})

t.test('a customer sees its own organization and gets 404 for another one', async (t) => {
  const a = await h.createOrg('basic')
  const b = await h.createOrg('premier')
  const tok = await h.customerToken(a.id)
  const own = await h.request(tok, { method: 'GET', url: `/v1/organizations/${a.id}` })
  t.equal(own.statusCode, 200)
  t.equal(own.json().id, a.id)
  const other = await h.request(tok, { method: 'GET', url: `/v1/organizations/${b.id}` })
  t.equal(other.statusCode, 404)
  t.equal(other.json().code, 'not-found')
  const list = await h.request(tok, { method: 'GET', url: '/v1/organizations' })
  t.equal(list.statusCode, 403)
})

t.test('list pages with a cursor: no duplicates, no gaps; tampered cursor is 400', async (t) => {
  for (let i = 0; i < 5; i++) await h.createOrg('basic')
  const tok = await h.agentToken()
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const res = await h.request(tok, { method: 'GET', url: `/v1/organizations?limit=2${cursor === null ? '' : `&cursor=${cursor}`}` })
    t.equal(res.statusCode, 200, res.body)
    const page = res.json()
    t.ok(page.items.length <= 2)
    seen.push(...page.items.map((o: { id: string }) => o.id))
    cursor = page.nextCursor
  } while (cursor !== null)
  t.equal(new Set(seen).size, seen.length, 'no duplicates')
  const all = await h.request(tok, { method: 'GET', url: '/v1/organizations?limit=100' })
  t.same(seen, all.json().items.map((o: { id: string }) => o.id), 'same order and members as one big page')
  const bad = await h.request(tok, { method: 'GET', url: '/v1/organizations?cursor=bm90LWEtY3Vyc29y' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'invalid-cursor')
})

t.test('PATCH with If-Match: stale tag is 412 and changes nothing; If-None-Match gives 304', async (t) => {
  const org = await h.createOrg('basic')
  const admin = await h.adminToken()
  const ok = await h.request(admin, { method: 'PATCH', url: `/v1/organizations/${org.id}`, headers: { 'if-match': '"1"' }, payload: { plan: 'premier' } })
  t.equal(ok.statusCode, 200, ok.body)
  t.equal(ok.json().plan, 'premier')
  t.equal(ok.headers.etag, '"2"')
  const stale = await h.request(admin, { method: 'PATCH', url: `/v1/organizations/${org.id}`, headers: { 'if-match': '"1"' }, payload: { name: 'Nope' } })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().code, 'precondition-failed')
  const after = await h.request(admin, { method: 'GET', url: `/v1/organizations/${org.id}` })
  t.equal(after.json().name, org.name)
  const cached = await h.request(admin, { method: 'GET', url: `/v1/organizations/${org.id}`, headers: { 'if-none-match': '"2"' } })
  t.equal(cached.statusCode, 304)
  t.equal(cached.body, '')
})

t.test('a canceled or expired subscription is not current', async (t) => {
  const org = await h.createOrg('basic')
  const admin = await h.adminToken()
  const res = await h.request(admin, { method: 'PATCH', url: `/v1/organizations/${org.id}`, payload: { subscription: { status: 'canceled' } } })
  t.equal(res.json().subscription.current, false)
  const expired = await h.createOrg('basic', { subscription: { status: 'active', termStart: '2020-01-01T00:00:00.000Z', termEnd: '2021-01-01T00:00:00.000Z' } })
  t.equal(expired.subscription.current, false)
})

t.test('unknown body fields are refused, not dropped; types are not coerced', async (t) => {
  const admin = await h.adminToken()
  const extra = await h.request(admin, { method: 'POST', url: '/v1/organizations', payload: { name: 'X', plan: 'basic', color: 'red', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } } })
  t.equal(extra.statusCode, 400)
  t.equal(extra.json().code, 'validation-failed')
  t.match(extra.json().errors, [{ path: '/color' }])
  const coerced = await h.request(admin, { method: 'POST', url: '/v1/organizations', payload: { name: 42, plan: 'basic', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } } })
  t.equal(coerced.statusCode, 400)
})
