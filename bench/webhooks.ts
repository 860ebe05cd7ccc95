/**
 * `npm run bench:webhooks -- [--url postgres://postgres@127.0.0.1:5432/postgres] [--changes 2000] [--writers 8]
 * [--concurrency 64] [--poll 1] [--backlog]`: webhook deliveries per second to a local receiver and delivery lag
 * (event occurredAt, i.e. the change's transaction → the receiver got it), p50/p99 — the goals of issue 13 are
 * ≥ 500 deliveries/s and p99 ≤ 2 s, without failures.
 * One service (app + live job engine + dispatcher loop, as in production, JOBS_POLL_INTERVAL_SECONDS = --poll, default
 * the production default 1 s) on a fresh database, a loopback receiver answering 204, changes written through the use
 * --writers concurrent HTTP clients (POST /v1/organizations: organization.created events) while deliveries run
 * ("live": the API's write load and the deliveries share the process and the database), or all written first through
 * the use cases (--backlog: delivery capacity).
 * Prints one human line and one JSON line; `make bench` runs both modes (bench/run.sh).
 */
import { transactionOn } from '../src/application/context.js'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportSPKI, generateKeyPair, type CryptoKey } from 'jose'
import { mintToken } from '../src/auth/keys.js'
import postgres from 'postgres'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openDatabase } from '../src/db/client.js'
import { runMigrations } from '../src/db/migrate.js'
import { createJobEngine } from '../src/jobs/engine.js'
import { createOrganization } from '../src/application/organizations.js'
import { CalendarStore } from '../src/application/calendar-store.js'
import * as hooks from '../src/application/webhooks.js'

const arg = (name: string, dflt: string): string => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? String(process.argv[i + 1]) : dflt }
const BASE = arg('url', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
const CHANGES = Number(arg('changes', '2000'))
const WRITERS = Number(arg('writers', '8'))
const CONCURRENCY = arg('concurrency', '64')
const POLL = Number(arg('poll', '1'))
/** --backlog: write every change first, then start the service — measures delivery capacity instead of the write rate */
const BACKLOG = process.argv.includes('--backlog')

const lags: number[] = []
const received: number[] = []
const distinct = new Set<string>()
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const now = Date.now()
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; occurredAt: string }
    lags.push(now - Date.parse(event.occurredAt))
    distinct.add(event.id)
    received.push(now)
    res.writeHead(204).end()
  })
})
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
const port = (receiver.address() as AddressInfo).port

const name = `sd_bench_webhooks_${randomBytes(3).toString('hex')}`
const admin = postgres(BASE, { max: 1, onnotice: () => {} })
await admin.unsafe(`CREATE DATABASE ${name}`)
const url = new URL(BASE); url.pathname = `/${name}`
const database = await openDatabase({ url: url.toString(), poolMax: 10 })
await runMigrations(database)
const { publicKey, privateKey } = await generateKeyPair('ES256')
const config = loadConfig({ JWT_PUBLIC_KEY: await exportSPKI(publicKey), LOG_LEVEL: 'warn', WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${port}`, WEBHOOK_CONCURRENCY: CONCURRENCY })
const jobs = createJobEngine({ database, now: () => new Date(), workers: true, pollingIntervalSeconds: POLL })
const app = await buildApp(config, { database, jobs, docsUi: false })
const ctx = { database, now: () => new Date(), idempotencyTtlHours: 24, calendars: new CalendarStore(database), jobs, transaction: transactionOn(database) }
const root = { subject: 'bench', roles: ['admin'] as const, orgId: null }
await hooks.createEndpoint(ctx, app.webhooks.network, root, { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['organization.created'] })
let apiBase = ''
const startService = async (): Promise<void> => {
  await jobs.start()
  await app.listen({ port: 0, host: '127.0.0.1' })
  apiBase = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}
if (!BACKLOG) await startService()
const token = await mintToken(privateKey as CryptoKey, { sub: 'bench', roles: ['admin'] }, { issuer: config.jwt.issuer, audience: config.jwt.audience, expiresIn: '1h' })

const t0 = Date.now()
let next = 0
await Promise.all(Array.from({ length: WRITERS }, async () => {
  while (next < CHANGES) {
    const i = next++
    if (BACKLOG) {
      await createOrganization(ctx, root, { name: `Bench ${i}`, plan: 'basic', subscription: { termStart: new Date(t0 - 86_400_000), termEnd: new Date(t0 + 300 * 86_400_000) } })
      continue
    }
    // live: through the HTTP API (auth, validation, idempotency, the write), the load the deliveries run beside
    const res = await fetch(`${apiBase}/v1/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Bench ${i}`, plan: 'basic', subscription: { status: 'active', termStart: new Date(t0 - 86_400_000).toISOString(), termEnd: new Date(t0 + 300 * 86_400_000).toISOString() } })
    })
    if (res.status !== 201) throw new Error(`POST /v1/organizations: ${res.status} ${await res.text()}`)
  }
}))
const written = Date.now()
if (BACKLOG) await startService()
while (received.length < CHANGES && Date.now() - written < 300_000) await new Promise((resolve) => setTimeout(resolve, 100))
const q = (p: number): number => { const s = [...lags].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN }
const first = Math.min(...received)
const last = Math.max(...received)
const perSecond = Math.round(received.length / ((last - first) / 1000))
const attempts = await (async () => {
  const db = postgres(url.toString(), { max: 1, onnotice: () => {} })
  try {
    const [row] = await db<Array<{ failed: number; total: number }>>`select count(*) filter (where status_code is null or status_code >= 300)::int as failed, count(*)::int as total from webhook_attempts`
    return row ?? { failed: -1, total: -1 }
  } finally { await db.end() }
})()
console.log(BACKLOG
  ? `webhooks backlog: ${distinct.size}/${CHANGES} delivered, ${perSecond} deliveries/s (goal ≥ 500); ${attempts.failed} failed attempts`
  : `webhooks live: ${distinct.size}/${CHANGES} delivered, ${attempts.failed} failed attempts, while written at ${Math.round(CHANGES / ((written - t0) / 1000))} changes/s; ${perSecond} deliveries/s; lag p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (goal ≤ 2000), max ${q(1)} ms`)
console.log(JSON.stringify({
  changes: CHANGES,
  mode: BACKLOG ? 'backlog (capacity)' : 'live (writes and deliveries together)',
  delivered: distinct.size,
  requests: received.length,
  failedAttempts: attempts.failed,
  writeSeconds: (written - t0) / 1000,
  deliveriesPerSecond: perSecond,
  lagMs: BACKLOG ? 'n/a' : { p50: q(0.5), p99: q(0.99), max: q(1) }
}))
await app.close()
await jobs.stop({ timeoutMs: 2000 })
await database.close()
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
await admin.end()
receiver.close()
