/**
 * `npm run bench:webhooks -- --url postgres://postgres@127.0.0.1:5432/postgres [--changes 2000] [--concurrency 16]`:
 * webhook deliveries per second to a local receiver and delivery lag (event occurredAt → the receiver got it), p50/p99.
 * One service process as in production (live job engine, dispatcher loop) on a fresh database, a loopback receiver
 * answering 204, changes written through the use cases at the given concurrency (organization.created events).
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportSPKI, generateKeyPair } from 'jose'
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
const CONCURRENCY = arg('concurrency', '16')
/** --backlog: write every change first, then start the service — measures delivery capacity instead of the write rate */
const BACKLOG = process.argv.includes('--backlog')

const lags: number[] = []
const received: number[] = []
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const now = Date.now()
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { occurredAt: string }
    lags.push(now - Date.parse(event.occurredAt))
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
const { publicKey } = await generateKeyPair('ES256')
const config = loadConfig({ JWT_PUBLIC_KEY: await exportSPKI(publicKey), LOG_LEVEL: 'warn', WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${port}`, WEBHOOK_CONCURRENCY: CONCURRENCY })
const jobs = createJobEngine({ database, now: () => new Date(), workers: true, pollingIntervalSeconds: 0.5 })
const app = await buildApp(config, { database, jobs, docsUi: false })
const ctx = { database, now: () => new Date(), idempotencyTtlHours: 24, calendars: new CalendarStore(database), jobs }
const root = { subject: 'bench', roles: ['admin'] as const, orgId: null }
await hooks.createEndpoint(ctx, app.webhooks.network, root, { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['organization.created'] })
const startService = async (): Promise<void> => { await jobs.start(); await app.ready() }
if (!BACKLOG) await startService()

const t0 = Date.now()
let next = 0
await Promise.all(Array.from({ length: WRITERS }, async () => {
  while (next < CHANGES) {
    const i = next++
    await createOrganization(ctx, root, { name: `Bench ${i}`, plan: 'basic', subscription: { termStart: new Date(t0 - 86_400_000), termEnd: new Date(t0 + 300 * 86_400_000) } })
  }
}))
const written = Date.now()
if (BACKLOG) await startService()
while (received.length < CHANGES && Date.now() - written < 300_000) await new Promise((resolve) => setTimeout(resolve, 100))
const q = (p: number): number => { const s = [...lags].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN }
const first = Math.min(...received)
const last = Math.max(...received)
console.log(JSON.stringify({
  changes: CHANGES,
  mode: BACKLOG ? 'backlog (capacity)' : 'live (writes and deliveries together)',
  delivered: received.length,
  writeSeconds: (written - t0) / 1000,
  deliveriesPerSecond: Math.round(received.length / ((last - first) / 1000)),
  lagMs: BACKLOG ? 'n/a' : { p50: q(0.5), p99: q(0.99), max: q(1) }
}))
await app.close()
await jobs.stop({ timeoutMs: 2000 })
await database.close()
await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
await admin.end()
receiver.close()
