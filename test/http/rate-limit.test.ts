import t from 'tap'
import { sql } from 'drizzle-orm'
import { buildApp } from '../../src/app.js'
import { FixedWindowLimiter } from '../../src/http/plugins/rate-limit.js'
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

t.test('unauthenticated and refused requests count against the client IP and carry the headers', async (t) => {
  const first = await h.request(null, { method: 'GET', url: '/v1/support-plans' })
  t.equal(first.statusCode, 200)
  t.equal(parse(first.headers.ratelimit).remaining, 2)
  const badToken = await h.request('not.a.token', { method: 'GET', url: '/v1/organizations' })
  t.equal(badToken.statusCode, 401)
  t.equal(parse(badToken.headers.ratelimit).remaining, 1, 'the 401 was counted against the IP')
  t.equal(badToken.headers['ratelimit-policy'], '3;w=60')
  await h.request(null, { method: 'GET', url: '/v1/support-plans' })
  const over = await h.request(null, { method: 'GET', url: '/v1/support-plans' })
  t.equal(over.statusCode, 429)
  t.ok(over.headers['retry-after'])
})

t.test('routes outside /v1 (health probes) are not limited and carry no headers', async (t) => {
  for (let i = 0; i < 5; i++) {
    const res = await h.request(null, { method: 'GET', url: '/healthz' })
    t.equal(res.statusCode, 200)
    t.equal(res.headers.ratelimit, undefined)
  }
})

t.test('RATE_LIMIT_MAX=0 disables limiting and the headers', async (t) => {
  const app = await buildApp({ ...h.config, rateLimit: { max: 0, windowSeconds: 60 } }, { database: h.database, now: h.clock.now, docsUi: false })
  t.teardown(async () => { await app.close() })
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'GET', url: '/v1/support-plans' })
    t.equal(res.statusCode, 200)
    t.equal(res.headers.ratelimit, undefined)
    t.equal(res.headers['ratelimit-policy'], undefined)
  }
})

t.test('limiter: the window resets after its length; memory is bounded; sweep drops ended windows', async (t) => {
  let now = 1_000_000
  const limiter = new FixedWindowLimiter(2, 10, 3, () => now)
  t.same(limiter.hit('a'), { limit: 2, remaining: 1, resetSeconds: 10, allowed: true })
  now += 4_500
  t.same(limiter.hit('a'), { limit: 2, remaining: 0, resetSeconds: 6, allowed: true })
  t.equal(limiter.hit('a').allowed, false)
  now += 5_500
  t.same(limiter.hit('a'), { limit: 2, remaining: 1, resetSeconds: 10, allowed: true }, 'a new window')
  limiter.hit('b')
  limiter.hit('c')
  limiter.hit('d')
  t.equal(limiter.size, 3, 'never more than maxKeys callers')
  now += 10_000
  t.equal(limiter.sweep(), 3)
  t.equal(limiter.size, 0)
  now -= 60_000
  t.equal(limiter.hit('e').remaining, 1, 'a clock that moved back starts a new window')
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
