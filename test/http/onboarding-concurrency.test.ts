/**
 * The last onboarding credit under concurrency. On PostgreSQL (TEST_DATABASE_URL set) 50 bookings race over two app
 * instances, each with its own connection pool, sharing one database: the booking transaction locks the organization
 * row (SELECT … FOR NO KEY UPDATE) before counting the term's calls, so exactly one wins. On PGlite there is one
 * connection and transactions run one after another: the same outcome is asserted, but it shows the rule, not the lock.
 */
import t from 'tap'
import { and, eq } from 'drizzle-orm'
import { buildTestApp, onPostgres, TestClock } from '../helpers/app.js'
import { onboardingCalls } from '../../src/db/schema/onboarding.js'
import { events } from '../../src/db/schema/events.js'

const h = await buildTestApp(t, { clock: new TestClock(new Date('2026-10-28T12:00:00.000Z')), poolMax: 10 })
const replica = await h.replica()
const ROUNDS = 3
const RACERS = 50
const engine = onPostgres
  ? 'on PostgreSQL: concurrent transactions on 2 × 10 pooled connections'
  : 'on PGlite: one connection, transactions serialise (same outcome; the lock itself is proved on PostgreSQL)'

t.test(`one credit left, ${RACERS} concurrent bookings over two app instances → exactly one 201 and ${RACERS - 1} × 409 (${engine})`, async (t) => {
  for (let round = 0; round < ROUNDS; round++) {
    const org = await h.createOrg('enhanced')
    const tok = await h.customerToken(org.id)
    const payload = (i: number) => ({
      scheduledAt: new Date(Date.UTC(2026, 10, 2 + (i % 5), 17, 0, 0)).toISOString(), // Mon–Fri 09:00 PST
      durationMinutes: 30,
      attendees: [{ name: `Racer ${i}`, email: `racer${i}@acme.example` }]
    })
    const first = await h.request(tok, { method: 'POST', url: `/v1/organizations/${org.id}/onboarding-calls`, payload: payload(99) })
    t.equal(first.statusCode, 201, 'the first credit is booked')

    const results = await Promise.all(Array.from({ length: RACERS }, async (_, i) => {
      const app = i % 2 === 0 ? h.app : replica
      return await app.inject({
        method: 'POST',
        url: `/v1/organizations/${org.id}/onboarding-calls`,
        headers: { authorization: `Bearer ${tok}` },
        payload: payload(i)
      })
    }))
    const statuses = results.map((r) => r.statusCode)
    const created = statuses.filter((s) => s === 201).length
    const conflicts = results.filter((r) => r.statusCode === 409 && r.json().code === 'onboarding-entitlement-exhausted')
    t.equal(created, 1, `round ${round}: exactly one 201`)
    t.equal(conflicts.length, RACERS - 1, `round ${round}: ${RACERS - 1} × 409 onboarding-entitlement-exhausted`)
    t.ok(conflicts.every((r) => r.json().remaining === 0 && r.json().scheduled === 2), 'each refusal carries the counts')
    t.ok(statuses.every((s) => s === 201 || s === 409), 'no other status (no 5xx, no deadlock)')

    const rows = await h.database.db.select().from(onboardingCalls).where(eq(onboardingCalls.organizationId, org.id))
    t.equal(rows.length, 2, 'the database holds exactly the entitlement')
    const scheduledEvents = await h.database.db.select().from(events)
      .where(and(eq(events.organizationId, org.id), eq(events.type, 'onboarding_call.scheduled')))
    t.equal(scheduledEvents.length, 2, 'one event per booking, none for refusals')
    const summary = (await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/onboarding` })).json()
    t.match(summary, { entitled: 2, scheduled: 2, remaining: 0 })
  }
})

t.test(`a plan change racing with bookings is serialised with them (${engine})`, async (t) => {
  // Enhanced with one credit left; an upgrade to Premier races with 10 bookings: whatever the order, the result never
  // exceeds what the plan in force at each booking allowed, so 1 (upgrade last) to 4 (upgrade first) bookings succeed
  const org = await h.createOrg('enhanced')
  const tok = await h.customerToken(org.id)
  const admin = await h.adminToken()
  const book = async (i: number) => await (i % 2 === 0 ? h.app : replica).inject({
    method: 'POST',
    url: `/v1/organizations/${org.id}/onboarding-calls`,
    headers: { authorization: `Bearer ${tok}` },
    payload: { scheduledAt: '2026-11-02T17:00:00.000Z', durationMinutes: 30, attendees: [{ name: 'R', email: 'r@acme.example' }] }
  })
  t.equal((await book(0)).statusCode, 201)
  const [upgrade, ...bookings] = await Promise.all([
    h.request(admin, { method: 'PATCH', url: `/v1/organizations/${org.id}`, payload: { plan: 'premier' } }),
    ...Array.from({ length: 10 }, async (_, i) => await book(i))
  ])
  t.equal(upgrade?.statusCode, 200)
  const created = bookings.filter((r) => r.statusCode === 201).length
  t.ok(created >= 1 && created <= 4, `between 1 and 4 bookings won (got ${created})`)
  t.ok(bookings.every((r) => r.statusCode === 201 || (r.statusCode === 409 && r.json().code === 'onboarding-entitlement-exhausted')))
  const summary = (await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/onboarding` })).json()
  t.ok(summary.scheduled <= 5, 'never more than the Premier entitlement')
  t.equal(summary.scheduled, 1 + created)
})
