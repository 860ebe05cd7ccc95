import t from 'tap'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { createTestDatabase, onPostgres } from '../helpers/app.js'
import { startServerProcess } from '../helpers/server-process.js'
import { TcpProxy, type ProxyMode } from '../helpers/tcp-proxy.js'


// child processes start slowly on a busy 2-core machine: more than the suite's default 120 s per file
t.setTimeout(360_000)
/**
 * Database faults under load (issue 11): the service runs as in production (a child process) behind a TCP proxy
 * to PostgreSQL that resets connections, refuses them, or swallows every packet. In each mode, under load: the process
 * survives, requests that need the database are answered while the outage lasts — 503 `database-unavailable` with
 * Retry-After, never a 5xx of another kind — /readyz says 503, the service serves again once the database is back
 * (no restart), and every acknowledged write is stored. Figures (time to the first 503, to recovery) are printed.
 * On PGlite (no network between the service and its database) the same process is checked serving and ready.
 */

const DAY = 86_400_000
const orgBody = (): Record<string, unknown> => ({
  name: `Fault org ${randomUUID().slice(0, 8)}`,
  plan: 'basic',
  subscription: { status: 'active', termStart: new Date(Date.now() - 30 * DAY).toISOString(), termEnd: new Date(Date.now() + 300 * DAY).toISOString() }
})

interface Outcome { status: number; code?: string; retryAfter?: string | null; id?: string; at: number; ms: number }

async function call (base: string, token: string, method: 'GET' | 'POST', path: string): Promise<Outcome> {
  const started = Date.now()
  try {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}) },
      body: method === 'POST' ? JSON.stringify(orgBody()) : undefined,
      signal: AbortSignal.timeout(30_000)
    })
    const text = await res.text()
    let body: { code?: string; id?: string } = {}
    try { body = JSON.parse(text) } catch { /* not JSON: status only */ }
    return { status: res.status, code: body.code, id: body.id, retryAfter: res.headers.get('retry-after'), at: started, ms: Date.now() - started }
  } catch {
    return { status: 0, at: started, ms: Date.now() - started }
  }
}

if (!onPostgres) {
  t.test('PGlite: the service process serves, is ready, and stores an acknowledged write', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sd-faults-'))
    t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
    const server = await startServerProcess(t, { PGLITE_DIR: join(dir, 'pglite') })
    const token = await server.token({ sub: 'admin-faults', roles: ['admin'] })
    t.equal((await fetch(`${server.base}/readyz`)).status, 200)
    const created = await call(server.base, token, 'POST', '/v1/organizations')
    t.equal(created.status, 201)
    const read = await call(server.base, token, 'GET', `/v1/organizations/${created.id ?? ''}`)
    t.equal(read.status, 200)
    server.child.kill('SIGTERM')
    t.same(await server.exited, [0, null])
  })
} else {
  t.test('PostgreSQL behind a faulty network: survive, fail fast, recover, lose nothing acknowledged', async (t) => {
    const { url } = await createTestDatabase(t)
    if (url === undefined) throw new Error('no database url')
    const target = new URL(url)
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port === '' ? 5432 : target.port) })
    await proxy.start()
    t.teardown(async () => { await proxy.close() })
    const viaProxy = new URL(url)
    viaProxy.host = `127.0.0.1:${proxy.port}`
    const server = await startServerProcess(t, { DATABASE_URL: viaProxy.toString(), DB_POOL_MAX: '4' })
    const token = await server.token({ sub: 'admin-faults', roles: ['admin'] })
    const direct = postgres(url, { max: 1, onnotice: () => {} })
    t.teardown(async () => { await direct.end({ timeout: 2 }) })

    const acknowledged: string[] = []
    const outcomes: Outcome[] = []
    let running = true
    const worker = async (i: number): Promise<void> => {
      while (running) {
        const o = await call(server.base, token, i % 2 === 0 ? 'POST' : 'GET', i % 2 === 0 ? '/v1/organizations' : '/v1/organizations?limit=5')
        outcomes.push(o)
        if (o.status === 201 && o.id !== undefined) acknowledged.push(o.id)
        if (o.status !== 200 && o.status !== 201) await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    const workers = Array.from({ length: 6 }, async (_, i) => { await worker(i) })
    const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
    await sleep(1_000)

    for (const mode of ['reset', 'refuse', 'drop'] as ProxyMode[]) {
      await t.test(`mode ${mode}`, async (t) => {
        const before = outcomes.length
        t.ok(outcomes.slice(-5).some((o) => o.status === 201 || o.status === 200), 'serving before the fault')
        const faultAt = Date.now()
        await proxy.setMode(mode)
        // keep the fault on for 4 s under load, asking /readyz meanwhile
        const readies: Array<{ status: number; code?: string }> = []
        while (Date.now() - faultAt < 4_000) {
          const r = await fetch(`${server.base}/readyz`, { signal: AbortSignal.timeout(10_000) })
          const body = await r.json() as { code?: string }
          readies.push({ status: r.status, code: body.code })
          await sleep(300)
        }
        const restoredAt = Date.now()
        const during = outcomes.slice(before).filter((o) => o.at >= faultAt + 2_500 && o.at + o.ms < restoredAt)
        await proxy.setMode('pass')

        t.equal(server.child.exitCode, null, 'the process survived')
        const unavailable = outcomes.slice(before).filter((o) => o.status === 503)
        t.ok(unavailable.length > 0, 'requests were refused with 503')
        t.ok(unavailable.every((o) => o.code === 'database-unavailable' && o.retryAfter !== null), 'each 503 is database-unavailable with Retry-After')
        t.ok(during.length > 0 && during.every((o) => o.status === 503), `requests sent well into the outage were answered before it ended, all 503 (${during.length})`)
        const bad = outcomes.slice(before).filter((o) => ![200, 201, 503].includes(o.status))
        t.same(bad, [], 'no other status (no 500, no client-side timeout)')
        t.ok(readies.some((r) => r.status === 503 && r.code === 'not-ready'), '/readyz said 503 during the outage')
        const firstRefusal = unavailable.find((o) => o.at >= faultAt)
        t.comment(`${mode}: first 503 answered ${firstRefusal === undefined ? '?' : firstRefusal.at + firstRefusal.ms - faultAt} ms after the fault; slowest outage answer ${Math.max(...unavailable.map((o) => o.ms))} ms; readyz ${readies.map((r) => r.status).join(',')}`)

        // recovery: the service serves again without a restart
        let recoveredAt: number | undefined
        while (recoveredAt === undefined && Date.now() - restoredAt < 30_000) {
          const probe = await call(server.base, token, 'POST', '/v1/organizations')
          if (probe.status === 201 && probe.id !== undefined) { acknowledged.push(probe.id); recoveredAt = Date.now() } else await sleep(100)
        }
        t.ok(recoveredAt !== undefined, 'serving again after the database came back')
        t.equal((await fetch(`${server.base}/readyz`)).status, 200, '/readyz is 200 again')
        t.comment(`${mode}: recovered ${(recoveredAt ?? NaN) - restoredAt} ms after the database came back`)
        await sleep(500)
      })
    }

    running = false
    await Promise.all(workers)
    const stored = await direct<Array<{ id: string }>>`select id::text as id from organizations where id = any(${acknowledged}::uuid[])`
    t.equal(stored.length, new Set(acknowledged).size, `every acknowledged write is stored (${acknowledged.length})`)
    t.ok(acknowledged.length > 10)
    server.child.kill('SIGTERM')
    t.same(await server.exited, [0, null], 'clean exit')
  })
}
