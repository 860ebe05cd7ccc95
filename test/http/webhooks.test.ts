import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

const hostsResolver = (table: Record<string, string[]>) => async (hostname: string) => {
  const addresses = table[hostname]
  if (addresses === undefined) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' })
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}

const resolve = hostsResolver({
  'hooks.example.com': ['93.184.216.34'],
  'rebind.example.com': ['127.0.0.1'],
  'mixed.example.com': ['93.184.216.34', '10.0.0.5'],
  'metadata.example.com': ['169.254.169.254'],
  'v6local.example.com': ['fd00:ec2::254']
})

t.test('endpoints: create (secret once), get, list, patch with If-Match, delete; roles', async (t) => {
  const h = await buildTestApp(t, { webhooks: { resolve } })
  const admin = await h.adminToken()
  const created = await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'https://hooks.example.com/in', description: 'CRM', eventTypes: ['ticket.created'] } })
  t.equal(created.statusCode, 201, created.body)
  const e = created.json()
  t.match(e.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ + base64 of 32 bytes')
  t.equal(Buffer.from(e.secret.slice(6), 'base64').length, 32)
  t.equal(e.organizationId, null, 'global endpoint')
  t.equal(created.headers.etag, '"1"')
  t.equal(created.headers.location, `/v1/webhook-endpoints/${e.id}`)

  const got = await h.request(admin, { method: 'GET', url: `/v1/webhook-endpoints/${e.id}` })
  t.equal(got.statusCode, 200)
  t.notOk('secret' in got.json(), 'the secret is never shown again')
  t.equal((await h.request(admin, { method: 'GET', url: `/v1/webhook-endpoints/${e.id}`, headers: { 'if-none-match': '"1"' } })).statusCode, 304)

  const stale = await h.request(admin, { method: 'PATCH', url: `/v1/webhook-endpoints/${e.id}`, headers: { 'if-match': '"7"' }, payload: { enabled: false } })
  t.equal(stale.statusCode, 412)
  const patched = await h.request(admin, { method: 'PATCH', url: `/v1/webhook-endpoints/${e.id}`, headers: { 'if-match': '"1"' }, payload: { enabled: false, eventTypes: null } })
  t.equal(patched.statusCode, 200, patched.body)
  t.same([patched.json().enabled, patched.json().eventTypes, patched.json().version], [false, null, 2])

  for (let i = 0; i < 2; i++) await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: `https://hooks.example.com/${i}` } })
  const page1 = await h.request(admin, { method: 'GET', url: '/v1/webhook-endpoints?limit=2' })
  t.equal(page1.json().items.length, 2)
  const page2 = await h.request(admin, { method: 'GET', url: `/v1/webhook-endpoints?limit=2&cursor=${page1.json().nextCursor as string}` })
  t.equal(page2.json().items.length, 1)
  t.equal(page2.json().nextCursor, null)

  const agent = await h.agentToken()
  const org = await h.createOrg('basic')
  const customer = await h.customerToken(org.id)
  for (const tok of [agent, customer]) {
    t.equal((await h.request(tok, { method: 'GET', url: '/v1/webhook-endpoints' })).statusCode, 403)
    t.equal((await h.request(tok, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'https://hooks.example.com/x' } })).statusCode, 403)
  }

  t.equal((await h.request(admin, { method: 'DELETE', url: `/v1/webhook-endpoints/${e.id}`, headers: { 'if-match': '"1"' } })).statusCode, 412)
  t.equal((await h.request(admin, { method: 'DELETE', url: `/v1/webhook-endpoints/${e.id}`, headers: { 'if-match': '"2"' } })).statusCode, 204)
  t.equal((await h.request(admin, { method: 'GET', url: `/v1/webhook-endpoints/${e.id}` })).statusCode, 404)
})

t.test('organization-scoped admin tokens manage only their organization\'s endpoints', async (t) => {
  const h = await buildTestApp(t, { webhooks: { resolve } })
  const admin = await h.adminToken()
  const a = await h.createOrg('basic')
  const b = await h.createOrg('basic')
  const adminA = await h.token({ sub: 'admin-a', roles: ['admin'], org_id: a.id })
  const own = await h.request(adminA, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'https://hooks.example.com/a' } })
  t.equal(own.statusCode, 201)
  t.equal(own.json().organizationId, a.id, 'forced to its own organization')
  t.equal((await h.request(adminA, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'https://hooks.example.com/a', organizationId: b.id } })).statusCode, 404)
  const global = (await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'https://hooks.example.com/g' } })).json()
  const ofB = (await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'https://hooks.example.com/b', organizationId: b.id } })).json()
  t.equal(ofB.organizationId, b.id)
  for (const id of [global.id, ofB.id]) {
    t.equal((await h.request(adminA, { method: 'GET', url: `/v1/webhook-endpoints/${id as string}` })).statusCode, 404, 'another organization\'s or a global endpoint is 404')
    t.equal((await h.request(adminA, { method: 'POST', url: `/v1/webhook-endpoints/${id as string}/rotate-secret` })).statusCode, 404)
  }
  const list = (await h.request(adminA, { method: 'GET', url: '/v1/webhook-endpoints' })).json()
  t.same(list.items.map((e: any) => e.id), [own.json().id])
  t.equal((await h.request(admin, { method: 'GET', url: '/v1/webhook-endpoints' })).json().items.length, 3)
  t.equal((await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'https://hooks.example.com/z', organizationId: '00000000-0000-4000-8000-000000000000' } })).statusCode, 404)
})

t.test('SSRF guard: refused URLs are 422 webhook-url-refused', async (t) => {
  const h = await buildTestApp(t, { webhooks: { resolve } })
  const admin = await h.adminToken()
  const refused = [
    'http://hooks.example.com/in', // not https
    'https://127.0.0.1/in', 'https://10.1.2.3/', 'https://192.168.0.1/', 'https://172.16.0.1/', 'https://169.254.169.254/latest/meta-data',
    'https://[::1]/', 'https://[fe80::1]/', 'https://[fd00:ec2::254]/', 'https://[::ffff:127.0.0.1]/', 'https://100.100.100.200/', 'https://0.0.0.0/',
    'https://localhost/', 'https://intranet/',
    'https://rebind.example.com/in', // a public-looking name that resolves to 127.0.0.1
    'https://mixed.example.com/in', // one of its addresses is private
    'https://metadata.example.com/', 'https://v6local.example.com/',
    'https://unknown.example.com/', // does not resolve
    'https://user:pw@hooks.example.com/', 'ftp://hooks.example.com/'
  ]
  for (const url of refused) {
    const res = await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url } })
    t.equal(res.statusCode, 422, url)
    t.equal(res.json().code, 'webhook-url-refused', url)
  }
  t.equal((await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'https://93.184.216.34/in' } })).statusCode, 201, 'a public address literal is fine')
  const ok = (await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'https://hooks.example.com/in' } })).json()
  const patch = await h.request(admin, { method: 'PATCH', url: `/v1/webhook-endpoints/${ok.id as string}`, payload: { url: 'https://rebind.example.com/in' } })
  t.equal(patch.statusCode, 422, 'changing the URL is checked the same way')
  t.equal((await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'not a url' } })).statusCode, 400)
})

t.test('WEBHOOK_ALLOWED_HOSTS lets a named host:port through over http', async (t) => {
  const h = await buildTestApp(t, { webhooks: { resolve }, env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1:8123' } })
  const admin = await h.adminToken()
  t.equal((await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'http://127.0.0.1:8123/hook' } })).statusCode, 201)
  t.equal((await h.request(admin, { method: 'POST', url: '/v1/webhook-endpoints', payload: { url: 'http://127.0.0.1:8124/hook' } })).statusCode, 422, 'another port is not allow-listed')
})
