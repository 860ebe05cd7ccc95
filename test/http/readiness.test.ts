import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

const h = await buildTestApp(t)

t.test('healthz and readyz while the database is up', async (t) => {
  t.same((await h.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' })
  const ready = await h.app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200)
})

t.test('with the database down: readyz is a 503 problem, healthz stays 200, data routes give a 503 database-unavailable problem without internals', async (t) => {
  const token = await h.adminToken()
  await h.database.close()
  const ready = await h.app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 503)
  t.match(ready.headers['content-type'], /^application\/problem\+json/)
  t.match(ready.json(), { code: 'not-ready', status: 503 })
  t.equal((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  const res = await h.request(token, { method: 'GET', url: '/v1/organizations' })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { code: 'database-unavailable', status: 503 })
  t.equal(res.headers['retry-after'], '2')
  t.notMatch(res.body, /select|postgres|pglite|stack/i)
})
