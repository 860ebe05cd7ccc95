/**
 * `npm run bench:timers` (issue 12): SLA timer lateness — `occurredAt − moment` of `ticket.sla_breached` events — with
 * 10,000 pending timers, once idle and once while the same process serves a write load (ticket creation through the
 * use case at concurrency 10, as the API does), and the write throughput with the timer workers polling vs off
 * (WORKERS=false). Both write rates include scheduling the new tickets' timers (since issue 15 a timer hours away is
 * the ticket's pointer, no job row: docs/sla.md "Timers").
 *
 * The measured breaches are `--lead` seconds (75) ahead when their tickets are written, beyond the sweep's one-minute
 * horizon, so they take the production path: the ticket's pointer, a sweep that hands the timer on as a job about a
 * minute ahead, the job fetched by a poller at its moment.
 *
 * Needs PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); works in a database of
 * its own, dropped at the end. Options: --pending N (10000), --due N (300 breaches per phase), --spread S (20 s),
 * --lead S (75), --load-seconds S (15). One process (service + workers + load), so on a shared 2-core VM figures are
 * indicative.
 */
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { openDatabase, type Database } from '../src/db/client.js'
import { runMigrations } from '../src/db/migrate.js'
import { createJobEngine, type JobEngine } from '../src/jobs/engine.js'
import { CalendarStore } from '../src/application/calendar-store.js'
import { registerJobHandlers } from '../src/application/jobs.js'
import { createTicket } from '../src/application/tickets.js'
import { createOrganization } from '../src/application/organizations.js'
import { seedHolidays } from '../src/application/seed.js'
import { transactionOn, type AppContext } from '../src/application/context.js'
import type { Principal } from '../src/domain/access.js'

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN
  return Number.isFinite(v) && v > 0 ? v : dflt
}
const PENDING = arg('pending', 10_000)
const DUE = arg('due', 300)
const SPREAD_S = arg('spread', 20)
const LOAD_S = arg('load-seconds', 15)
const LEAD_S = arg('lead', 75)
const server = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const agent: Principal = { subject: 'bench-agent', roles: ['agent', 'admin'], orgId: null }
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN }

const body = (orgId: string, i: number, severity: 'urgent' | 'low') => ({
  organizationId: orgId, subject: `bench ${i}`, description: 'timer bench', severity, channel: 'portal' as const, requester: { name: 'B', email: 'b@example.com' }
})

function context (database: Database, jobs: JobEngine, now: () => Date = () => new Date()): AppContext {
  return { database, now, idempotencyTtlHours: 24, calendars: new CalendarStore(database), jobs, transaction: transactionOn(database) }
}

/** creates tickets at concurrency 10 for `seconds`; returns tickets per second */
async function writeLoad (ctx: AppContext, orgId: string, seconds: number): Promise<number> {
  const until = Date.now() + seconds * 1000
  let done = 0
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (Date.now() < until) { await createTicket(ctx, agent, body(orgId, done, 'low')); done++ }
  }))
  return done / seconds
}

/** DUE Premier P1 tickets whose deadlines fall LEAD_S … LEAD_S + SPREAD_S from now; resolves with the lateness figures once all fired */
async function lateness (ctx: AppContext, orgId: string): Promise<{ p50: number; p99: number; max: number; n: number }> {
  const t0 = Date.now() + LEAD_S * 1000 - 3_600_000
  const ids: string[] = []
  for (let i = 0; i < DUE; i++) {
    const at = new Date(t0 + Math.floor((i * SPREAD_S * 1000) / DUE))
    ids.push((await createTicket({ ...ctx, now: () => at }, agent, body(orgId, i, 'urgent'))).ticket.id)
  }
  const list = `{${ids.join(',')}}`
  for (let i = 0; i < 600; i++) {
    const [row] = await ctx.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM events WHERE type = 'ticket.sla_breached' AND ticket_id = ANY(${list}::uuid[])`)
    if ((row?.n ?? 0) >= DUE) break
    await sleep(500)
  }
  const rows = await ctx.database.rows<{ ms: number }>(sql`
    SELECT extract(epoch FROM (occurred_at - (data->>'moment')::timestamptz)) * 1000 AS ms
    FROM events WHERE type = 'ticket.sla_breached' AND ticket_id = ANY(${list}::uuid[])`)
  const ms = rows.map((r) => Number(r.ms))
  return { p50: pct(ms, 50), p99: pct(ms, 99), max: Math.max(...ms), n: ms.length }
}

async function main (): Promise<void> {
  const name = `sd_bench_timers_${randomBytes(3).toString('hex')}`
  const admin = postgres(server, { max: 1, onnotice: () => {} })
  await admin.unsafe(`CREATE DATABASE ${name}`)
  const u = new URL(server); u.pathname = `/${name}`
  const database = await openDatabase({ url: u.toString(), poolMax: 10 })
  try {
    await runMigrations(database)
    const jobs = createJobEngine({ database, now: () => new Date(), workers: true })
    const ctx = context(database, jobs)
    registerJobHandlers(ctx)
    await seedHolidays(ctx)
    await jobs.start()
    const org = await createOrganization(ctx, agent, {
      name: 'Bench Premier', plan: 'premier', subscription: { status: 'active', termStart: new Date(Date.now() - 86_400_000), termEnd: new Date(Date.now() + 300 * 86_400_000) }
    } as Parameters<typeof createOrganization>[2])
    console.log(`seeding ${PENDING} pending timers (P3 tickets, deadlines days away) …`)
    const t = Date.now()
    await Promise.all(Array.from({ length: 10 }, async (_, w) => {
      for (let i = w; i < PENDING; i += 10) await createTicket(ctx, agent, body(org.id, i, 'low'))
    }))
    console.log(`  ${((Date.now() - t) / 1000).toFixed(1)} s`)

    const idle = await lateness(ctx, org.id)
    console.log(`idle: ${idle.n} breaches, lateness p50 ${idle.p50.toFixed(0)} ms, p99 ${idle.p99.toFixed(0)} ms, max ${idle.max.toFixed(0)} ms`)

    const rateWith = await writeLoad(ctx, org.id, LOAD_S)
    console.log(`write load with timer workers polling: ${rateWith.toFixed(0)} tickets/s`)
    const [loaded] = await Promise.all([lateness(ctx, org.id), writeLoad(ctx, org.id, LOAD_S)])
    console.log(`under write load: ${loaded.n} breaches, lateness p50 ${loaded.p50.toFixed(0)} ms, p99 ${loaded.p99.toFixed(0)} ms, max ${loaded.max.toFixed(0)} ms`)

    await jobs.stop()
    const apiOnly = createJobEngine({ database, now: () => new Date(), workers: false })
    const ctx2 = context(database, apiOnly)
    registerJobHandlers(ctx2)
    await apiOnly.start()
    const rateWithout = await writeLoad(ctx2, org.id, LOAD_S)
    await apiOnly.stop()
    console.log(`write load without timer workers (WORKERS=false): ${rateWithout.toFixed(0)} tickets/s (with: ${((rateWith / rateWithout) * 100).toFixed(0)} %)`)
    console.log('\n| figure | value | goal |\n|---|---:|---|')
    console.log(`| lateness p50 / p99 idle (${PENDING} pending) | ${idle.p50.toFixed(0)} / ${idle.p99.toFixed(0)} ms | p99 ≤ 2000 ms |`)
    console.log(`| lateness p50 / p99 under write load | ${loaded.p50.toFixed(0)} / ${loaded.p99.toFixed(0)} ms | p99 ≤ 2000 ms |`)
    console.log(`| ticket creation with / without workers | ${rateWith.toFixed(0)} / ${rateWithout.toFixed(0)} per s | within 10 % |`)
  } finally {
    await database.close()
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end({ timeout: 5 })
  }
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1) })
