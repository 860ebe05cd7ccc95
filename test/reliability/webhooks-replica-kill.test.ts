import t from 'tap'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase } from '../helpers/app.js'
import { PATIENT_PROBE, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { WebhookReceiver } from '../helpers/webhook-receiver.js'

// child processes start slowly on a busy 2-core machine: more than the suite's default 120 s per file
t.setTimeout(360_000)

/**
 * Whether the process `pid` owns the TCP socket whose local port is `port` (Linux /proc: the process's socket inodes
 * against the namespace's TCP table): which replica sent the request the receiver holds open.
 */
async function ownsSocket (pid: number, port: number): Promise<boolean> {
  const inodes = new Set<string>()
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))
    if (m?.[1] !== undefined) inodes.add(m[1])
  }
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length > 9 && parseInt(cols[1]?.split(':').pop() ?? '', 16) === port && inodes.has(cols[9] ?? '')) return true
    }
  }
  return false
}

/**
 * Issue 13: "a replica killed mid-delivery → another delivers it again (at least once, never dropped)", with the
 * service as in production (child processes, src/server.ts) and a real receiver verifying every request with
 * standardwebhooks.
 *
 * Replica A is the only replica when the change is made, so A takes the delivery. The receiver holds every request
 * open ('hang') while A is alive: A's attempts time out (10 s) and are retried, but never succeed. Then, on
 * PostgreSQL, replica B starts beside A (two live replicas on one database); on PGlite (one process per data
 * directory) the replacement B starts on A's data directory after the kill. A is killed with SIGKILL while one of its
 * requests is open at the receiver (the request's client port belongs to A's process: B may have taken a retry by
 * then, and its requests hang too), from then on the receiver answers 204: the delivery must arrive (same
 * webhook-id), from B since A is dead, and be recorded as succeeded. The in-flight attempt's lease and job come back
 * through WEBHOOK_LEASE_SECONDS and WEBHOOK_JOB_EXPIRE_SECONDS / JOBS_SUPERVISE_INTERVAL_SECONDS, shortened here.
 * Never in flight twice: the receiver never has two requests of the id open at once.
 */
t.test('a replica killed mid-delivery: another replica delivers it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sd-webhook-kill-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const { url } = await createTestDatabase(t)
  const onPg = url !== undefined
  const receiver = await new WebhookReceiver().start(t)
  let aDead = false
  receiver.behaviour = () => aDead ? 204 : 'hang'
  const env: Record<string, string> = {
    ...(onPg ? { DATABASE_URL: url, ...PATIENT_PROBE } : { PGLITE_DIR: join(dir, 'pglite') }),
    WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${receiver.port}`,
    // the lease outlives the 10 s attempt timeout; a job held by a dead process comes back after ~5 s + 1 s
    WEBHOOK_LEASE_SECONDS: '15',
    WEBHOOK_JOB_EXPIRE_SECONDS: '5',
    JOBS_SUPERVISE_INTERVAL_SECONDS: '1',
    JOBS_POLL_INTERVAL_SECONDS: '0.5'
  }
  const a = await startServerProcess(t, env)
  const adminA = await a.token({ sub: 'admin-kill', roles: ['admin'] })
  const call = async (server: ServerProcess, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${server.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000)
    })
    return { status: res.status, json: await res.json() }
  }
  const reg = await call(a, adminA, 'POST', '/v1/webhook-endpoints', { url: receiver.url, eventTypes: ['organization.created'] })
  t.equal(reg.status, 201, JSON.stringify(reg.json))
  receiver.secrets = [reg.json.secret]
  const endpointId = reg.json.id as string
  const org = await call(a, adminA, 'POST', '/v1/organizations', { name: 'Killed mid-delivery', plan: 'basic', subscription: { status: 'active', termStart: '2020-01-01T00:00:00.000Z', termEnd: '2099-01-01T00:00:00.000Z' } })
  t.equal(org.status, 201, JSON.stringify(org.json))

  const waitFor = async (what: string, ok: () => boolean, ms = 120_000): Promise<void> => {
    const deadline = Date.now() + ms
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${a.output()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  await waitFor('the first request at the receiver', () => receiver.requests > 0)
  t.equal(receiver.received.length, 0, 'nothing was answered 2xx while A was alive')

  // PostgreSQL: a second live replica before the kill
  let b: ServerProcess | undefined = onPg ? await startServerProcess(t, env) : undefined
  // kill A while one of ITS requests is open at the receiver (its attempts hang 10 s, then a 5 s retry delay)
  const pidA = a.child.pid ?? 0
  let aHolds = false
  const deadline = Date.now() + 120_000
  while (!aHolds && Date.now() < deadline) {
    for (const r of receiver.open) if (await ownsSocket(pidA, r.remotePort)) aHolds = true
    if (!aHolds) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.ok(aHolds, 'A has the delivery in flight: its request is open at the receiver')
  const requestsBeforeKill = receiver.requests
  a.child.kill('SIGKILL')
  const [, signal] = await a.exited
  aDead = true
  t.equal(signal, 'SIGKILL', 'A was killed')
  t.equal(receiver.received.length, 0, 'A never got a 2xx: the delivery was in flight when it died')
  // PGlite: the replacement replica on A's data directory
  b ??= await startServerProcess(t, env)

  await waitFor('the delivery through the surviving replica', () => receiver.received.length > 0)
  t.ok(receiver.requests > requestsBeforeKill, 'a request after the kill')
  t.equal(receiver.rejected.length, 0, 'every request verified with standardwebhooks')
  const ids = receiver.ids()
  t.equal(ids.size, 1, 'one event, one webhook-id')
  t.equal(receiver.maxOpenPerId, 1, 'never in flight twice at once')

  const adminB = await b.token({ sub: 'admin-kill', roles: ['admin'] })
  let delivery: any
  for (let i = 0; i < 600 && delivery?.status !== 'succeeded'; i++) {
    const list = await call(b, adminB, 'GET', `/v1/webhook-endpoints/${endpointId}/deliveries`)
    delivery = list.json.items?.[0]
    if (delivery?.status !== 'succeeded') await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.equal(delivery?.status, 'succeeded', JSON.stringify(delivery))
  t.equal(delivery?.webhookId, [...ids][0], 'the delivery of the event the receiver got')
  const last = delivery?.attempts?.at(-1)
  t.equal(last?.statusCode, 204, 'its last recorded attempt is the 204')
  t.comment(`${receiver.requests} requests (${requestsBeforeKill} before the kill), ${delivery?.attempts?.length as number} attempts recorded`)
})
