import t from 'tap'
import { buildTestApp, TestClock } from '../helpers/app.js'

// Wednesday 2026-10-28 12:00Z (05:00 PDT); orgs created now get the term [now − 30 d, now + 335 d)
const START = '2026-10-28T12:00:00.000Z'
const h = await buildTestApp(t, { clock: new TestClock(new Date(START)) })
const MON_0900_PST = '2026-11-02T17:00:00.000Z'
const TUE_0900_PST = '2026-11-03T17:00:00.000Z'
const attendees = [{ name: 'Dana Ops', email: 'dana@acme.example' }]

const book = async (token: string, orgId: string, body: Record<string, unknown> = {}) =>
  await h.request(token, { method: 'POST', url: `/v1/organizations/${orgId}/onboarding-calls`, payload: { scheduledAt: MON_0900_PST, durationMinutes: 60, attendees, ...body } })
const entitlementOf = async (token: string, orgId: string) =>
  (await h.request(token, { method: 'GET', url: `/v1/organizations/${orgId}/onboarding` })).json()
const patchCall = async (token: string, callId: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  await h.request(token, { method: 'PATCH', url: `/v1/onboarding-calls/${callId}`, payload, headers })
const patchOrg = async (orgId: string, payload: Record<string, unknown>) => {
  const res = await h.request(await h.adminToken(), { method: 'PATCH', url: `/v1/organizations/${orgId}`, payload })
  if (res.statusCode !== 200) throw new Error(res.body)
}

t.beforeEach(() => { h.clock.set(START) })

t.test('entitlement per plan: Basic 0, Enhanced 2, Premier 5, for the current term', async (t) => {
  for (const [plan, n] of [['basic', 0], ['enhanced', 2], ['premier', 5]] as const) {
    const org = await h.createOrg(plan)
    const res = await h.request(await h.customerToken(org.id), { method: 'GET', url: `/v1/organizations/${org.id}/onboarding` })
    t.equal(res.statusCode, 200, res.body)
    t.same(res.json(), {
      organizationId: org.id, plan, entitled: n, scheduled: 0, used: 0, completed: 0, noShow: 0, remaining: n,
      termStart: org.subscription.termStart, termEnd: org.subscription.termEnd,
      calendarId: plan === 'basic' ? 'business-hours-with-holidays' : 'business-hours'
    })
  }
})

t.test('a customer books a call: 201 with Location and ETag; the credit is held', async (t) => {
  const org = await h.createOrg('enhanced')
  const tok = await h.customerToken(org.id)
  const res = await book(tok, org.id, { agenda: 'DNS delegation' })
  t.equal(res.statusCode, 201, res.body)
  const call = res.json()
  t.equal(res.headers.location, `/v1/onboarding-calls/${call.id}`)
  t.equal(res.headers.etag, '"1"')
  t.match(call, {
    organizationId: org.id, scheduledAt: MON_0900_PST, endsAt: '2026-11-02T18:00:00.000Z', durationMinutes: 60, attendees,
    agenda: 'DNS delegation', status: 'scheduled', calendarId: 'business-hours', version: 1,
    createdBy: { id: 'customer-1', role: 'customer' }, createdAt: START
  })
  t.match(await entitlementOf(tok, org.id), { entitled: 2, scheduled: 1, used: 0, remaining: 1 })
  const got = await h.request(tok, { method: 'GET', url: `/v1/onboarding-calls/${call.id}` })
  t.equal(got.statusCode, 200)
  t.same(got.json(), call)
  const cached = await h.request(tok, { method: 'GET', url: `/v1/onboarding-calls/${call.id}`, headers: { 'if-none-match': '"1"' } })
  t.equal(cached.statusCode, 304)
})

t.test('no credit left: 409 onboarding-entitlement-exhausted with the counts (Enhanced third call, Basic first call)', async (t) => {
  const org = await h.createOrg('enhanced')
  const tok = await h.customerToken(org.id)
  t.equal((await book(tok, org.id)).statusCode, 201)
  t.equal((await book(tok, org.id, { scheduledAt: TUE_0900_PST })).statusCode, 201)
  const third = await book(tok, org.id)
  t.equal(third.statusCode, 409)
  t.match(third.headers['content-type'], /application\/problem\+json/)
  t.match(third.json(), { code: 'onboarding-entitlement-exhausted', status: 409, entitled: 2, scheduled: 2, used: 0, remaining: 0, plan: 'enhanced' })
  const basic = await h.createOrg('basic')
  const refused = await book(await h.customerToken(basic.id), basic.id)
  t.equal(refused.statusCode, 409)
  t.match(refused.json(), { code: 'onboarding-entitlement-exhausted', entitled: 0, remaining: 0 })
  t.match(refused.json().detail, /Basic plan includes no onboarding calls/)
})

t.test('time rules: past → scheduled-in-past, outside hours → outside-business-hours, after the term → outside-subscription-term', async (t) => {
  const org = await h.createOrg('premier')
  const tok = await h.customerToken(org.id)
  const past = await book(tok, org.id, { scheduledAt: '2026-10-27T17:00:00.000Z' })
  t.equal(past.statusCode, 422)
  t.equal(past.json().code, 'scheduled-in-past')
  const night = await book(tok, org.id, { scheduledAt: '2026-11-03T04:00:00.000Z' }) // Mon 20:00 PST
  t.equal(night.statusCode, 422)
  t.match(night.json(), { code: 'outside-business-hours', localStart: '2026-11-02T20:00:00.000-08:00', localDate: '2026-11-02', windows: [{ localStart: '06:00', localEnd: '18:00' }] })
  t.match(night.json().detail, /20:00–21:00 \(America\/Los_Angeles, UTC-08:00\).*open 06:00–18:00/)
  const late = await book(tok, org.id, { scheduledAt: '2026-11-03T01:30:00.000Z', durationMinutes: 45 }) // 17:30–18:15 PST
  t.equal(late.statusCode, 422)
  t.equal(late.json().code, 'outside-business-hours')
  const afterTerm = new Date(new Date(org.subscription.termEnd).getTime() + 7 * 86_400_000)
  afterTerm.setUTCHours(17, 0, 0, 0)
  while ([0, 6].includes(afterTerm.getUTCDay())) afterTerm.setUTCDate(afterTerm.getUTCDate() + 1)
  const beyond = await book(tok, org.id, { scheduledAt: afterTerm.toISOString() })
  t.equal(beyond.statusCode, 422)
  t.match(beyond.json(), { code: 'outside-subscription-term', termEnd: org.subscription.termEnd })
  t.match(await entitlementOf(tok, org.id), { scheduled: 0, remaining: 5 }, 'refusals take no credit')
})

t.test('business hours across the 2026-11-01 DST change (PDT → PST), clock set before the change', async (t) => {
  h.clock.set('2026-10-29T16:00:00.000Z')
  const org = await h.createOrg('premier')
  const tok = await h.customerToken(org.id)
  const friEarly = await book(tok, org.id, { scheduledAt: '2026-10-30T12:30:00.000Z', durationMinutes: 30 }) // Fri 05:30 PDT
  t.equal(friEarly.statusCode, 422)
  t.match(friEarly.json(), { code: 'outside-business-hours', localStart: '2026-10-30T05:30:00.000-07:00', windows: [{ start: '2026-10-30T13:00:00.000Z', end: '2026-10-31T01:00:00.000Z' }] })
  const friOpen = await book(tok, org.id, { scheduledAt: '2026-10-30T13:00:00.000Z', durationMinutes: 30 }) // Fri 06:00 PDT
  t.equal(friOpen.statusCode, 201, friOpen.body)
  const sunday = await book(tok, org.id, { scheduledAt: '2026-11-01T18:00:00.000Z', durationMinutes: 30 })
  t.equal(sunday.statusCode, 422)
  t.match(sunday.json().detail, /Sunday 2026-11-01 is closed/)
  // 13:00Z was 06:00 on Friday; after the change it is 05:30+… on Monday: 13:30Z = 05:30 PST
  const monEarly = await book(tok, org.id, { scheduledAt: '2026-11-02T13:30:00.000Z', durationMinutes: 30 })
  t.equal(monEarly.statusCode, 422)
  t.match(monEarly.json(), { code: 'outside-business-hours', localStart: '2026-11-02T05:30:00.000-08:00', windows: [{ start: '2026-11-02T14:00:00.000Z', end: '2026-11-03T02:00:00.000Z', localStart: '06:00', localEnd: '18:00' }] })
  const monOpen = await book(tok, org.id, { scheduledAt: '2026-11-02T14:00:00.000Z', durationMinutes: 30 })
  t.equal(monOpen.statusCode, 201)
  const monClose = await book(tok, org.id, { scheduledAt: '2026-11-03T00:00:00.000Z', durationMinutes: 120 }) // 16:00–18:00 PST
  t.equal(monClose.statusCode, 201)
  const pastClose = await book(tok, org.id, { scheduledAt: '2026-11-03T01:00:00.000Z', durationMinutes: 120 }) // 17:00–19:00 PST
  t.equal(pastClose.statusCode, 422)
})

t.test('subscription not current → 403 subscription-inactive (canceled, expired, not yet started)', async (t) => {
  const canceled = await h.createOrg('premier')
  await patchOrg(canceled.id, { subscription: { status: 'canceled' } })
  const r1 = await book(await h.customerToken(canceled.id), canceled.id)
  t.equal(r1.statusCode, 403)
  t.equal(r1.json().code, 'subscription-inactive')
  const expired = await h.createOrg('premier', { subscription: { status: 'active', termStart: '2025-01-01T00:00:00.000Z', termEnd: '2026-01-01T00:00:00.000Z' } })
  const r2 = await book(await h.agentToken(), expired.id)
  t.equal(r2.statusCode, 403)
  t.equal(r2.json().code, 'subscription-inactive')
  const future = await h.createOrg('premier', { subscription: { status: 'active', termStart: '2027-01-01T00:00:00.000Z', termEnd: '2028-01-01T00:00:00.000Z' } })
  t.equal((await book(await h.adminToken(), future.id)).json().code, 'subscription-inactive')
})

t.test('cross-organization: another organization\'s calls and entitlement are 404', async (t) => {
  const a = await h.createOrg('premier')
  const b = await h.createOrg('premier')
  const call = (await book(await h.customerToken(a.id), a.id)).json()
  const tokB = await h.customerToken(b.id, 'customer-b')
  for (const [method, url, payload] of [
    ['GET', `/v1/organizations/${a.id}/onboarding`],
    ['GET', `/v1/organizations/${a.id}/onboarding-calls`],
    ['POST', `/v1/organizations/${a.id}/onboarding-calls`, { scheduledAt: MON_0900_PST, durationMinutes: 60, attendees }],
    ['GET', `/v1/onboarding-calls/${call.id}`],
    ['PATCH', `/v1/onboarding-calls/${call.id}`, { status: 'canceled' }],
    ['PATCH', `/v1/onboarding-calls/${call.id}`, { status: 'completed' }]
  ] as const) {
    const res = await h.request(tokB, { method, url, ...(payload === undefined ? {} : { payload }) })
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.equal(res.json().code, 'not-found')
  }
  const unknownOrg = await h.request(await h.agentToken(), { method: 'GET', url: '/v1/organizations/00000000-0000-4000-8000-000000000000/onboarding' })
  t.equal(unknownOrg.statusCode, 404)
  t.equal((await h.request(await h.agentToken(), { method: 'GET', url: '/v1/onboarding-calls/00000000-0000-4000-8000-000000000000' })).statusCode, 404)
  t.equal((await h.request(await h.customerToken(a.id), { method: 'GET', url: `/v1/onboarding-calls/${call.id}` })).statusCode, 200)
})

t.test('status changes: cancel gives the credit back; completed and no_show use it; agents only; final states → 409', async (t) => {
  const org = await h.createOrg('enhanced')
  const cust = await h.customerToken(org.id)
  const agent = await h.agentToken()
  const c1 = (await book(cust, org.id)).json()
  const c2 = (await book(cust, org.id, { scheduledAt: TUE_0900_PST })).json()
  t.match(await entitlementOf(cust, org.id), { scheduled: 2, remaining: 0 })

  const canceled = await patchCall(cust, c1.id, { status: 'canceled' }, { 'if-match': '"1"' })
  t.equal(canceled.statusCode, 200, canceled.body)
  t.match(canceled.json(), { status: 'canceled', version: 2, updatedBy: { id: 'customer-1', role: 'customer' } })
  t.equal(canceled.headers.etag, '"2"')
  t.match(await entitlementOf(cust, org.id), { scheduled: 1, used: 0, remaining: 1 }, 'cancel gives the credit back')
  for (const status of ['canceled', 'completed', 'no_show']) {
    const again = await patchCall(agent, c1.id, { status })
    t.equal(again.statusCode, 409, `canceled → ${status}`)
    t.match(again.json(), { code: 'invalid-call-transition', currentStatus: 'canceled' })
  }
  const resched = await patchCall(cust, c1.id, { scheduledAt: TUE_0900_PST })
  t.equal(resched.statusCode, 409, 'a canceled call cannot be rescheduled')
  t.equal(resched.json().code, 'invalid-call-transition')

  // completed / no_show: staff only, and only once the call has started
  const custComplete = await patchCall(cust, c2.id, { status: 'completed' })
  t.equal(custComplete.statusCode, 403)
  t.equal(custComplete.json().code, 'forbidden')
  const early = await patchCall(agent, c2.id, { status: 'completed' })
  t.equal(early.statusCode, 409)
  t.equal(early.json().code, 'invalid-call-transition')
  h.clock.set('2026-11-03T17:30:00.000Z')
  const custLateCancel = await patchCall(cust, c2.id, { status: 'canceled' })
  t.equal(custLateCancel.statusCode, 409, 'customers cannot cancel a call that has started')
  const done = await patchCall(agent, c2.id, { status: 'completed' })
  t.equal(done.statusCode, 200, done.body)
  t.match(done.json(), { status: 'completed', updatedBy: { id: 'agent-1', role: 'agent' } })
  t.match(await entitlementOf(cust, org.id), { scheduled: 0, completed: 1, used: 1, remaining: 1 })
  t.equal((await patchCall(agent, c2.id, { status: 'no_show' })).statusCode, 409, 'completed is final')

  const c3 = (await book(cust, org.id, { scheduledAt: '2026-11-04T17:00:00.000Z' })).json()
  h.clock.set('2026-11-04T18:00:00.000Z')
  const admin = await h.adminToken()
  const noShow = await patchCall(admin, c3.id, { status: 'no_show' })
  t.equal(noShow.statusCode, 200)
  t.match(await entitlementOf(cust, org.id), { scheduled: 0, completed: 1, noShow: 1, used: 2, remaining: 0 }, 'no_show uses the credit')
  t.equal((await patchCall(agent, c3.id, { status: 'canceled' })).json().code, 'invalid-call-transition', 'no_show is final')
})

t.test('reschedule: same checks as a booking, If-Match guards it, status cannot be combined with other fields', async (t) => {
  const org = await h.createOrg('enhanced')
  const cust = await h.customerToken(org.id)
  const call = (await book(cust, org.id)).json()
  const outside = await patchCall(cust, call.id, { scheduledAt: '2026-11-07T17:00:00.000Z' }) // Saturday
  t.equal(outside.statusCode, 422)
  t.equal(outside.json().code, 'outside-business-hours')
  const past = await patchCall(cust, call.id, { scheduledAt: '2026-10-26T17:00:00.000Z' })
  t.equal(past.json().code, 'scheduled-in-past')
  const ok = await patchCall(cust, call.id, { scheduledAt: TUE_0900_PST, durationMinutes: 90 }, { 'if-match': '"1"' })
  t.equal(ok.statusCode, 200, ok.body)
  t.match(ok.json(), { scheduledAt: TUE_0900_PST, durationMinutes: 90, endsAt: '2026-11-03T18:30:00.000Z', version: 2, status: 'scheduled' })
  const stale = await patchCall(cust, call.id, { scheduledAt: MON_0900_PST }, { 'if-match': '"1"' })
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().code, 'precondition-failed')
  t.equal((await h.request(cust, { method: 'GET', url: `/v1/onboarding-calls/${call.id}` })).json().scheduledAt, TUE_0900_PST, 'stale write changed nothing')
  const details = await patchCall(cust, call.id, { attendees: [...attendees, { name: 'Sam', email: 'sam@acme.example' }], agenda: null })
  t.equal(details.statusCode, 200)
  t.match(details.json(), { version: 3, agenda: null })
  t.equal(details.json().attendees.length, 2)
  const combined = await patchCall(cust, call.id, { status: 'canceled', scheduledAt: MON_0900_PST })
  t.equal(combined.statusCode, 400)
  t.match(combined.json(), { code: 'validation-failed', errors: [{ path: '/scheduledAt' }] })
  t.match(await entitlementOf(cust, org.id), { scheduled: 1, remaining: 1 }, 'rescheduling takes no extra credit')
  // after a downgrade to no credit left, an existing call can still be rescheduled
  await patchOrg(org.id, { plan: 'basic' })
  const afterDowngrade = await patchCall(cust, call.id, { scheduledAt: MON_0900_PST, durationMinutes: 30 })
  t.equal(afterDowngrade.statusCode, 200, afterDowngrade.body)
  t.equal(afterDowngrade.json().calendarId, 'business-hours-with-holidays', 'checked against the current plan\'s calendar')
  // subscription not current: no reschedule (403), but cancel still works
  await patchOrg(org.id, { subscription: { status: 'past_due' } })
  t.equal((await patchCall(cust, call.id, { scheduledAt: TUE_0900_PST })).json().code, 'subscription-inactive')
  t.equal((await patchCall(cust, call.id, { status: 'canceled' })).statusCode, 200)
})

t.test('request validation: duration 30–120, attendees 1–10, no unknown fields', async (t) => {
  const org = await h.createOrg('premier')
  const tok = await h.customerToken(org.id)
  for (const body of [
    { durationMinutes: 29 }, { durationMinutes: 121 }, { durationMinutes: '60' }, { attendees: [] },
    { attendees: Array.from({ length: 11 }, (_, i) => ({ name: `P${i}`, email: `p${i}@acme.example` })) },
    { attendees: [{ name: 'X', email: 'not-an-email' }] }, { scheduledAt: 'tomorrow' }, { color: 'red' }
  ]) {
    const res = await book(tok, org.id, body)
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.equal(res.json().code, 'validation-failed')
  }
  const call = (await book(tok, org.id)).json()
  t.equal((await patchCall(tok, call.id, {})).statusCode, 400, 'empty PATCH')
  t.equal((await patchCall(tok, call.id, { status: 'scheduled' })).statusCode, 400, 'scheduled is not a status change')
})

t.test('term, upgrade and downgrade arithmetic (admin PATCH of plan and term)', async (t) => {
  const org = await h.createOrg('enhanced')
  const cust = await h.customerToken(org.id)
  const agent = await h.agentToken()
  const c1 = (await book(cust, org.id)).json()
  await book(cust, org.id, { scheduledAt: TUE_0900_PST })
  h.clock.set('2026-11-02T18:30:00.000Z')
  t.equal((await patchCall(agent, c1.id, { status: 'completed' })).statusCode, 200)
  t.match(await entitlementOf(cust, org.id), { entitled: 2, scheduled: 1, used: 1, remaining: 0 })

  await patchOrg(org.id, { plan: 'premier' })
  t.match(await entitlementOf(cust, org.id), { plan: 'premier', entitled: 5, scheduled: 1, used: 1, remaining: 3 }, 'upgrade raises entitled at once; used stays used')
  t.equal((await book(cust, org.id, { scheduledAt: '2026-11-05T17:00:00.000Z' })).statusCode, 201)

  await patchOrg(org.id, { plan: 'basic' })
  t.match(await entitlementOf(cust, org.id), { plan: 'basic', entitled: 0, scheduled: 2, used: 1, remaining: 0 }, 'downgrade below use: remaining 0')
  const list = (await h.request(cust, { method: 'GET', url: `/v1/organizations/${org.id}/onboarding-calls?status=scheduled` })).json()
  t.equal(list.items.length, 2, 'the downgrade canceled nothing')
  t.equal((await book(cust, org.id, { scheduledAt: '2026-11-06T17:00:00.000Z' })).json().code, 'onboarding-entitlement-exhausted')

  // a new term starts fresh: the admin renews the subscription for the next year
  await patchOrg(org.id, { plan: 'enhanced', subscription: { termStart: '2027-01-01T00:00:00.000Z', termEnd: '2028-01-01T00:00:00.000Z' } })
  h.clock.set('2027-01-05T12:00:00.000Z')
  t.match(await entitlementOf(cust, org.id), { entitled: 2, scheduled: 0, used: 0, remaining: 2, termStart: '2027-01-01T00:00:00.000Z' })
  t.equal((await book(cust, org.id, { scheduledAt: '2027-01-05T17:00:00.000Z' })).statusCode, 201)
  t.match(await entitlementOf(cust, org.id), { scheduled: 1, remaining: 1 })
  // a call left scheduled from the old term needs a credit of the new term to be rescheduled into it (by staff: its
  // time has passed, so the customer can no longer move it — call-already-started)
  const leftover = list.items[0]
  t.equal((await patchCall(agent, leftover.id, { scheduledAt: '2027-01-06T17:00:00.000Z' })).statusCode, 200)
  t.match(await entitlementOf(cust, org.id), { scheduled: 2, remaining: 0 })
  const second = list.items[1]
  const refused = await patchCall(agent, second.id, { scheduledAt: '2027-01-07T17:00:00.000Z' })
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'onboarding-entitlement-exhausted')
})

t.test('list: ordered by scheduledAt, cursor pages without gaps, status filter, cursor tied to filters', async (t) => {
  const org = await h.createOrg('premier')
  const tok = await h.customerToken(org.id)
  const times = ['2026-11-06T17:00:00.000Z', '2026-11-02T17:00:00.000Z', '2026-11-04T17:00:00.000Z', '2026-11-03T17:00:00.000Z', '2026-11-05T17:00:00.000Z']
  for (const scheduledAt of times) t.equal((await book(tok, org.id, { scheduledAt })).statusCode, 201)
  const seen: string[] = []
  let cursor: string | null = null
  do {
    const res = await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/onboarding-calls?limit=2${cursor === null ? '' : `&cursor=${cursor}`}` })
    t.equal(res.statusCode, 200, res.body)
    seen.push(...res.json().items.map((c: { scheduledAt: string }) => c.scheduledAt))
    cursor = res.json().nextCursor
  } while (cursor !== null)
  t.same(seen, [...times].sort())
  const first = (await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/onboarding-calls?limit=2` })).json()
  const mismatch = await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/onboarding-calls?limit=2&status=canceled&cursor=${first.nextCursor}` })
  t.equal(mismatch.statusCode, 400)
  t.equal(mismatch.json().code, 'invalid-cursor')
  const canceled = (await h.request(tok, { method: 'GET', url: `/v1/organizations/${org.id}/onboarding-calls?status=canceled` })).json()
  t.same(canceled, { items: [], nextCursor: null })
})

t.test('every change is an event with actor and time, visible in the organization\'s history', async (t) => {
  const org = await h.createOrg('premier')
  const cust = await h.customerToken(org.id)
  const call = (await book(cust, org.id)).json()
  h.clock.set('2026-10-29T10:00:00.000Z')
  await patchCall(cust, call.id, { scheduledAt: TUE_0900_PST })
  h.clock.set('2026-10-30T10:00:00.000Z')
  await patchCall(await h.agentToken('agent-7'), call.id, { status: 'canceled' })
  const res = await h.request(cust, { method: 'GET', url: `/v1/organizations/${org.id}/events?resourceId=${call.id}&order=oldest` })
  t.equal(res.statusCode, 200, res.body)
  const events = res.json().items
  t.same(events.map((e: { type: string }) => e.type), ['onboarding_call.scheduled', 'onboarding_call.rescheduled', 'onboarding_call.canceled'])
  t.match(events[0], { actor: { id: 'customer-1', role: 'customer' }, occurredAt: START, resource: { type: 'onboarding_call', id: call.id, version: 1 }, data: { after: { status: 'scheduled' }, remaining: 4 } })
  t.match(events[1], { occurredAt: '2026-10-29T10:00:00.000Z', data: { before: { scheduledAt: MON_0900_PST }, after: { scheduledAt: TUE_0900_PST } } })
  t.match(events[2], { actor: { id: 'agent-7', role: 'agent' }, occurredAt: '2026-10-30T10:00:00.000Z', resource: { version: 3 }, data: { before: { status: 'scheduled' }, after: { status: 'canceled' } } })
})

t.test('once a call has started, customers cannot move it (no dodging a no-show); staff can, to fix mistakes', async (t) => {
  const org = await h.createOrg('enhanced')
  const cust = await h.customerToken(org.id)
  const agent = await h.agentToken()
  const call = (await book(cust, org.id)).json() // Mon 09:00 PST = 17:00Z, 60 min
  t.match(await entitlementOf(cust, org.id), { scheduled: 1, remaining: 1 })

  // after the call has ended: moving it to tomorrow would turn a no-show back into a fresh credit
  h.clock.set('2026-11-02T19:30:00.000Z')
  const late = await patchCall(cust, call.id, { scheduledAt: TUE_0900_PST })
  t.equal(late.statusCode, 409, late.body)
  t.match(late.json(), { code: 'call-already-started', scheduledAt: MON_0900_PST, currentStatus: 'scheduled' })
  t.match(late.json().detail, /started 2026-11-02T17:00:00.000Z/)
  t.equal((await patchCall(cust, call.id, { durationMinutes: 30 })).json().code, 'call-already-started', 'nor change its duration')
  t.equal((await patchCall(cust, call.id, { scheduledAt: TUE_0900_PST, agenda: 'again' })).json().code, 'call-already-started', 'nor move it along with details')
  // at the start instant itself, too
  h.clock.set(MON_0900_PST)
  t.equal((await patchCall(cust, call.id, { scheduledAt: TUE_0900_PST })).json().code, 'call-already-started', 'at the start instant')
  const got = (await h.request(cust, { method: 'GET', url: `/v1/onboarding-calls/${call.id}` })).json()
  t.match(got, { scheduledAt: MON_0900_PST, durationMinutes: 60, version: 1 }, 'nothing changed')
  // details that do not move the call stay editable by the customer
  const agenda = await patchCall(cust, call.id, { agenda: 'Notes from the call' })
  t.equal(agenda.statusCode, 200, agenda.body)
  t.match(agenda.json(), { scheduledAt: MON_0900_PST, agenda: 'Notes from the call', version: 2 })

  // the no-show can still be recorded and uses the credit
  h.clock.set('2026-11-02T19:30:00.000Z')
  t.equal((await patchCall(agent, call.id, { status: 'no_show' })).statusCode, 200)
  t.match(await entitlementOf(cust, org.id), { scheduled: 0, noShow: 1, used: 1, remaining: 1 })

  // one millisecond before the start the customer may still move it
  const c2 = (await book(cust, org.id, { scheduledAt: TUE_0900_PST })).json()
  h.clock.set('2026-11-03T16:59:59.999Z')
  const early = await patchCall(cust, c2.id, { scheduledAt: '2026-11-04T17:00:00.000Z' })
  t.equal(early.statusCode, 200, early.body)

  // staff may move a call after its start (e.g. it was booked at the wrong time), with the booking checks
  h.clock.set('2026-11-04T17:30:00.000Z')
  const staffMove = await patchCall(agent, c2.id, { scheduledAt: '2026-11-05T17:00:00.000Z' })
  t.equal(staffMove.statusCode, 200, staffMove.body)
  t.match(staffMove.json(), { scheduledAt: '2026-11-05T17:00:00.000Z', status: 'scheduled', updatedBy: { id: 'agent-1', role: 'agent' } })
  t.equal((await patchCall(await h.adminToken(), c2.id, { scheduledAt: '2026-11-04T16:00:00.000Z' })).json().code, 'scheduled-in-past', 'staff still cannot move it into the past')
  t.match(await entitlementOf(cust, org.id), { scheduled: 1, used: 1, remaining: 0 })
})
