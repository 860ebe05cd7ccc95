/**
 * Two app instances share the SLA timers (issue 12 "Proof"): 200 tickets whose deadlines fall within a few seconds →
 * exactly 200 ticket.sla_breached events, none doubled, none missing; and the same while one instance dies halfway.
 * On PostgreSQL the second instance is a child process killed with SIGKILL (its fetched jobs come back after their
 * expiry through pg-boss's supervisor); on PGlite (one process by nature) both instances share the embedded database
 * in this process and the second is stopped abruptly.
 */
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { sql } from 'drizzle-orm'
import { buildTestApp, onPostgres, type TestApp, type TestLike } from '../helpers/app.js'
import { createJobEngine, type JobEngine } from '../../src/jobs/engine.js'
import { CalendarStore } from '../../src/application/calendar-store.js'
import { registerJobHandlers } from '../../src/application/jobs.js'
import { createTicket } from '../../src/application/tickets.js'
import { transactionOn, type AppContext } from '../../src/application/context.js'
import type { Database } from '../../src/db/client.js'

const N = 200
t.setTimeout(240_000)
const agent = { subject: 'agent-1', roles: ['agent'] as const, orgId: null }

interface Instance { jobs: JobEngine; ctx: AppContext }

async function instance (t: TestLike, database: Database): Promise<Instance> {
  const now = (): Date => new Date()
  const jobs = createJobEngine({ database, now, workers: true, pollingIntervalSeconds: 0.5, poolMax: 3, superviseIntervalSeconds: 2 })
  const ctx: AppContext = { database, now, idempotencyTtlHours: 24, calendars: new CalendarStore(database), jobs, transaction: transactionOn(database) }
  registerJobHandlers(ctx)
  await jobs.start()
  t.teardown(async () => { await jobs.stop({ timeoutMs: 2000 }) })
  return { jobs, ctx }
}

/** N Premier P1 tickets (1 hour, 24/7) opened so that their deadlines fall 2–10 s from now, 40 ms apart */
async function openTickets (h: TestApp, via: Instance, orgId: string, onHalf?: () => Promise<void>): Promise<void> {
  const t0 = Date.now() + 2000 - 3_600_000
  for (let i = 0; i < N; i++) {
    if (i === N / 2 && onHalf !== undefined) await onHalf()
    const at = new Date(t0 + i * 40)
    const ctx: AppContext = { ...via.ctx, now: () => at }
    await createTicket(ctx, { ...agent, roles: [...agent.roles] }, {
      organizationId: orgId, subject: `timer ${i}`, description: 'x', severity: 'urgent', channel: 'portal', requester: { name: 'R', email: 'r@example.com' }
    })
  }
  void h
}

/** the SLA events of the organization's tickets (each test has an organization of its own) */
async function counts (database: Database, orgId: string): Promise<{ breached: number; distinct: number; atRisk: number }> {
  const rows = await database.rows<{ breached: number; distinct: number; at_risk: number }>(sql`
    SELECT count(*) FILTER (WHERE type = 'ticket.sla_breached')::int AS breached,
           count(DISTINCT ticket_id) FILTER (WHERE type = 'ticket.sla_breached')::int AS distinct,
           count(*) FILTER (WHERE type = 'ticket.sla_at_risk')::int AS at_risk
    FROM events WHERE organization_id = ${orgId}::uuid`)
  const r = rows[0] ?? { breached: 0, distinct: 0, at_risk: 0 }
  return { breached: r.breached, distinct: r.distinct, atRisk: r.at_risk }
}

async function waitFor (what: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await what())) {
    if (Date.now() > until) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

t.test('two instances: 200 tickets → exactly 200 breaches', async (t) => {
  const h = await buildTestApp(t)
  const org = await h.createOrg('premier')
  const a = await instance(t, h.database)
  const b = await instance(t, await (h.database.url === undefined ? Promise.resolve(h.database) : openSecond(t, h.database.url)))
  await openTickets(h, a, org.id)
  await waitFor(async () => (await counts(h.database, org.id)).breached >= N, 60_000)
  await new Promise((resolve) => setTimeout(resolve, 1500)) // anything doubled would show now
  t.same(await counts(h.database, org.id), { breached: N, distinct: N, atRisk: N }, 'each ticket once, none missing')
  void b
})

t.test('the same while one instance dies halfway', async (t) => {
  const h = await buildTestApp(t)
  const org = await h.createOrg('premier')
  const a = await instance(t, h.database)
  let child: ChildProcess | undefined
  let second: Instance | undefined
  if (onPostgres && h.database.url !== undefined) {
    child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/timer-worker.ts'], { env: { ...process.env, WORKER_DATABASE_URL: h.database.url }, stdio: ['ignore', 'pipe', 'inherit'] })
    t.teardown(() => { child?.kill('SIGKILL') })
    const out = child.stdout
    if (out === null) throw new Error('no stdout')
    await new Promise<void>((resolve) => { out.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve() }) })
  } else {
    second = await instance(t, h.database)
  }
  // PostgreSQL: the child is killed as soon as half the timers have fired (while tickets may still be being opened);
  // PGlite: the in-process second instance is stopped once half the tickets are open
  let killed = { at: 0, breached: 0 }
  const kill = async (): Promise<void> => {
    const breached = (await counts(h.database, org.id)).breached
    killed = { at: Date.now(), breached }
    if (child !== undefined) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    } else {
      await second?.jobs.stop({ timeoutMs: 1000 })
    }
  }
  const killer = child === undefined
    ? Promise.resolve()
    : (async () => { await waitFor(async () => (await counts(h.database, org.id)).breached >= N / 2, 60_000); await kill() })()
  await openTickets(h, a, org.id, child === undefined ? kill : undefined)
  await killer
  t.pass(child !== undefined ? 'worker process killed (SIGKILL) halfway' : 'second instance stopped halfway')
  // the survivor takes the rest, including jobs the dead one had fetched (after their expiry)
  const killedAt = killed.at
  const atKill = killed.breached
  await waitFor(async () => (await counts(h.database, org.id)).breached >= N, 100_000)
  t.ok(atKill < N, 'the instance died before all timers had fired')
  t.comment(`${atKill} breaches written before the kill; the rest within ${((Date.now() - killedAt) / 1000).toFixed(1)} s after it`)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.same(await counts(h.database, org.id), { breached: N, distinct: N, atRisk: N }, 'each ticket once, none missing')
})

async function openSecond (t: TestLike, url: string): Promise<Database> {
  const { openDatabase } = await import('../../src/db/client.js')
  const db = await openDatabase({ url, poolMax: 4 })
  t.teardown(async () => { await db.close() })
  return db
}
