import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildApp } from '../../src/app.js'
import net from 'node:net'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import { buildTestApp } from '../helpers/app.js'

const h = await buildTestApp(t, { env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_SECONDS: '60' } })

const parse = (header: string | string[] | number | undefined): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const part of String(header).split(',')) {
    const [k, v] = part.trim().split('=')
    if (k !== undefined && v !== undefined) out[k] = Number(v)
  }
  return out
}

t.test('RATE_LIMIT_MAX=3: headers count down, the 4th request is a 429 problem with Retry-After', async (t) => {
  const token = await h.agentToken('agent-rl-1')
  for (let i = 0; i < 3; i++) {
    const res = await h.request(token, { method: 'GET', url: '/v1/organizations' })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.headers['ratelimit-policy'], '3;w=60')
    const state = parse(res.headers.ratelimit)
    t.equal(state.limit, 3)
    t.equal(state.remaining, 2 - i)
    t.ok(state.reset !== undefined && state.reset >= 1 && state.reset <= 60, `reset ${state.reset} within the window`)
  }
  const over = await h.request(token, { method: 'GET', url: '/v1/organizations' })
  t.equal(over.statusCode, 429)
  t.match(over.headers['content-type'], /application\/problem\+json/)
  const problem = over.json()
  t.equal(problem.code, 'rate-limited')
  t.equal(problem.status, 429)
  t.ok(Number.isInteger(problem.retryAfterSeconds) && problem.retryAfterSeconds >= 1 && problem.retryAfterSeconds <= 60)
  t.equal(over.headers['retry-after'], String(problem.retryAfterSeconds))
  t.equal(parse(over.headers.ratelimit).remaining, 0)
  t.equal(over.headers['ratelimit-policy'], '3;w=60')
})

t.test('limits are per caller: another subject has its own budget', async (t) => {
  const token = await h.agentToken('agent-rl-2')
  const res = await h.request(token, { method: 'GET', url: '/v1/organizations' })
  t.equal(res.statusCode, 200)
  t.equal(parse(res.headers.ratelimit).remaining, 2)
})

t.test('a limited POST never claims its Idempotency-Key', async (t) => {
  const token = await h.token({ sub: 'admin-rl', roles: ['admin'] })
  const body = { name: 'RL org', plan: 'basic', subscription: { termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } }
  for (let i = 0; i < 3; i++) await h.request(token, { method: 'GET', url: '/v1/organizations' })
  const limited = await h.request(token, { method: 'POST', url: '/v1/organizations', headers: { 'idempotency-key': 'rl-key' }, payload: body })
  t.equal(limited.statusCode, 429)
  const rows = await h.database.rows(sql`select 1 from idempotency_keys where idempotency_key = 'rl-key'`)
  t.equal(rows.length, 0)
})

t.test('unauthenticated and refused requests count against the client address, per route, and carry the headers', async (t) => {
  // keys are (matched route, caller) since issue 11: the public list and the refused-token route have their own budgets
  const first = await h.request(null, { method: 'GET', url: '/v1/support-plans' })
  t.equal(first.statusCode, 200)
  t.equal(parse(first.headers.ratelimit).remaining, 2)
  const badToken = await h.request('not.a.token', { method: 'GET', url: '/v1/organizations' })
  t.equal(badToken.statusCode, 401)
  t.equal(parse(badToken.headers.ratelimit).remaining, 2, 'the 401 was counted against the address')
  t.equal(badToken.headers['ratelimit-policy'], '3;w=60')
  await h.request(null, { method: 'GET', url: '/v1/support-plans' })
  await h.request(null, { method: 'GET', url: '/v1/support-plans' })
  const over = await h.request(null, { method: 'GET', url: '/v1/support-plans' })
  t.equal(over.statusCode, 429)
  t.ok(over.headers['retry-after'])
})

t.test('a flood of invalid tokens is limited per client address (429 instead of 401 once over)', async (t) => {
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) {
    const res = await h.request(`forged.${i}.token`, { method: 'GET', url: '/v1/tickets', remoteAddress: '10.9.9.9' })
    statuses.push(res.statusCode)
  }
  t.same(statuses, [401, 401, 401, 429, 429])
  const otherAddress = await h.request('forged.x.token', { method: 'GET', url: '/v1/tickets', remoteAddress: '10.9.9.10' })
  t.equal(otherAddress.statusCode, 401, 'another address has its own budget')
})

t.test('the budget is per matched route: a caller limited on one route is still served on another', async (t) => {
  const token = await h.agentToken('agent-rl-routes')
  for (let i = 0; i < 3; i++) t.equal((await h.request(token, { method: 'GET', url: '/v1/organizations' })).statusCode, 200)
  t.equal((await h.request(token, { method: 'GET', url: '/v1/organizations' })).statusCode, 429)
  const other = await h.request(token, { method: 'GET', url: '/v1/severity-levels' })
  t.equal(other.statusCode, 200)
  t.equal(parse(other.headers.ratelimit).remaining, 2)
})

t.test('alternative spellings of a /v1 path are gated and counted like the normal one', async (t) => {
  // percent-encoded segment: /%761/ is /v1/
  const encoded = await h.request(null, { method: 'GET', url: '/%761/organizations', remoteAddress: '10.7.7.7' })
  t.equal(encoded.statusCode, 401, 'no token: 401, not a validation error or data')
  t.equal(parse(encoded.headers.ratelimit).remaining, 2, 'counted')
  // absolute-form request line, over a real socket
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const port = (h.app.server.address() as net.AddressInfo).port
  const socket = net.connect(port, '127.0.0.1')
  let data = ''
  socket.on('data', (d: Buffer) => { data += d.toString() })
  await once(socket, 'connect')
  socket.write(`GET http://127.0.0.1:${port}/v1/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
  await once(socket, 'close')
  t.match(data, /^HTTP\/1\.1 401 /, 'absolute-form: 401')
  t.match(data, /\r\nratelimit: limit=3, remaining=\d, reset=\d+\r\n/i, 'absolute-form: counted')
  t.match(data, /"code":"unauthenticated"/)
})

t.test('routes outside /v1 (health probes) are not limited and carry no headers', async (t) => {
  for (let i = 0; i < 5; i++) {
    const res = await h.request(null, { method: 'GET', url: '/healthz' })
    t.equal(res.statusCode, 200)
    t.equal(res.headers.ratelimit, undefined)
  }
})

t.test('RATE_LIMIT_MAX=0 disables limiting and the headers', async (t) => {
  const app = await buildApp({ ...h.config, rateLimit: { ...h.config.rateLimit, max: 0 } }, { database: h.database, now: h.clock.now, docsUi: false })
  t.teardown(async () => { await app.close() })
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'GET', url: '/v1/support-plans' })
    t.equal(res.statusCode, 200)
    t.equal(res.headers.ratelimit, undefined)
    t.equal(res.headers['ratelimit-policy'], undefined)
  }
})

t.test('the window resets after its length', async (t) => {
  const app = await buildApp({ ...h.config, rateLimit: { ...h.config.rateLimit, max: 1, windowSeconds: 1 } }, { database: h.database, now: h.clock.now, docsUi: false })
  t.teardown(async () => { await app.close() })
  t.equal((await app.inject({ method: 'GET', url: '/v1/support-plans' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/v1/support-plans' })).statusCode, 429)
  await new Promise((resolve) => setTimeout(resolve, 1_100))
  t.equal((await app.inject({ method: 'GET', url: '/v1/support-plans' })).statusCode, 200, 'a new window')
})

t.test('with RATE_LIMIT_REDIS_URL two replicas enforce one limit (shared Redis store)', async (t) => {
  const prefix = `sd-test:${randomUUID()}:`
  const config = { ...h.config, rateLimit: { ...h.config.rateLimit, max: 3, windowSeconds: 60, redisUrl: 'redis://127.0.0.1:6379', redisPrefix: prefix } }
  const a = await buildApp(config, { database: h.database, now: h.clock.now, docsUi: false })
  const b = await buildApp(config, { database: h.database, now: h.clock.now, docsUi: false })
  t.teardown(async () => { await a.close(); await b.close() })
  const token = await h.agentToken('agent-redis')
  const statuses: number[] = []
  const remaining: number[] = []
  for (const app of [a, b, a, b, a]) {
    const res = await app.inject({ method: 'GET', url: '/v1/organizations', headers: { authorization: `Bearer ${token}` } })
    statuses.push(res.statusCode)
    remaining.push(parse(res.headers.ratelimit).remaining ?? -1)
  }
  t.same(statuses, [200, 200, 200, 429, 429], 'one budget across both replicas')
  t.same(remaining, [2, 1, 0, 0, 0])
})

t.test('with Redis unreachable the limiter lets requests through instead of failing them', async (t) => {
  const config = { ...h.config, rateLimit: { ...h.config.rateLimit, max: 3, windowSeconds: 60, redisUrl: 'redis://127.0.0.1:1', redisPrefix: 'sd-test:down:' } }
  const app = await buildApp(config, { database: h.database, now: h.clock.now, docsUi: false })
  t.teardown(async () => { await app.close() })
  for (let i = 0; i < 5; i++) t.equal((await app.inject({ method: 'GET', url: '/v1/support-plans' })).statusCode, 200)
})

t.test('the contract documents the headers on every /v1 operation (shared header components)', async (t) => {
  const doc = h.app.swagger() as unknown as { paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, { $ref: string }> }> }>>; components: { headers: Record<string, unknown> } }
  t.ok(doc.components.headers.RateLimit)
  t.ok(doc.components.headers['RateLimit-Policy'])
  let checked = 0
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v1/')) continue
    for (const [method, op] of Object.entries(item)) {
      for (const [status, response] of Object.entries(op.responses)) {
        t.equal(response.headers?.RateLimit?.$ref, '#/components/headers/RateLimit', `${method} ${path} ${status}`)
        if (status === '429') t.equal(response.headers?.['Retry-After']?.$ref, '#/components/headers/Retry-After')
        checked++
      }
    }
  }
  t.ok(checked > 10)
})

t.test('query parameters with a default (limit) are optional in the contract', async (t) => {
  const doc = h.app.swagger() as unknown as { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean; schema?: { default?: unknown } }> }>> }
  const events = doc.paths['/v1/events']?.get?.parameters?.find((p) => p.name === 'limit')
  t.equal(events?.schema?.default, 100)
  t.notOk(events?.required)
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      for (const p of op.parameters ?? []) if (p.schema?.default !== undefined) t.notOk(p.required, p.name)
    }
  }
})
