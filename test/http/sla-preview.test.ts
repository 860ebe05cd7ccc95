import t, { type Test } from 'tap'
import { buildTestApp, TestClock } from '../helpers/app.js'
import { PLAN_IDS, SEVERITIES, SUPPORT_PLANS, priorityOf } from '../../src/domain/policy/policy.js'

// a fixed clock: holidays are seeded for 2026, 2027 and 2028
const h = await buildTestApp(t, { clock: new TestClock(new Date('2026-03-02T12:00:00.000Z')) })
const url = '/v1/sla/preview'

interface Segment { start: string; end: string; startLocal: string; endLocal: string; seconds: number }

const preview = async (payload: Record<string, unknown>, token?: string) =>
  await h.request(token ?? await h.agentToken(), { method: 'POST', url, payload })

const ok = async (t: Test, payload: Record<string, unknown>, token?: string) => {
  const res = await preview(payload, token)
  t.equal(res.statusCode, 200, res.body)
  return res.json()
}

/** segments are ordered, disjoint, sum to the target, end at dueAt, and local times name the same instants */
const checkSegments = (t: Test, body: { segments: Segment[]; targetSeconds: number; dueAt: string; startAt: string }) => {
  const segs = body.segments
  t.ok(segs.length > 0, 'at least one segment')
  const sum = Math.round(segs.reduce((a, s) => a + s.seconds, 0) * 1000) / 1000 // ms precision
  t.equal(sum, body.targetSeconds, 'segment seconds sum to the target')
  t.equal(segs.at(-1)?.end, body.dueAt, 'the last segment ends at dueAt')
  t.ok(Date.parse(segs[0]!.start) >= Date.parse(body.startAt), 'counting starts at or after the clock start')
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!
    t.equal((Date.parse(s.end) - Date.parse(s.start)) / 1000, s.seconds)
    t.equal(Date.parse(s.startLocal), Date.parse(s.start), 'startLocal is the same instant')
    t.equal(Date.parse(s.endLocal), Date.parse(s.end), 'endLocal is the same instant')
    if (i > 0) t.ok(Date.parse(s.start) > Date.parse(segs[i - 1]!.end), 'separated by closed time')
  }
}

t.test('every plan × severity matches the policy mapping (Wednesday 08:00 PDT)', async (t) => {
  const at = '2026-03-11T08:00:00.000-07:00' // 15:00Z, a week without holidays, after the March DST change
  const expectedDue: Record<string, Record<string, string>> = {
    basic: { P1: '2026-03-13T15:00:00.000Z', P2: '2026-03-13T15:00:00.000Z', P3: '2026-03-13T15:00:00.000Z' },
    enhanced: { P1: '2026-03-11T16:00:00.000Z', P2: '2026-03-11T21:00:00.000Z', P3: '2026-03-13T15:00:00.000Z' },
    premier: { P1: '2026-03-11T16:00:00.000Z', P2: '2026-03-11T19:00:00.000Z', P3: '2026-03-13T15:00:00.000Z' }
  }
  const durations: Record<number, string> = { 3600: 'PT1H', 14400: 'PT4H', 21600: 'PT6H', 86400: 'PT24H' }
  for (const plan of PLAN_IDS) {
    for (const severity of SEVERITIES) {
      const body = await ok(t, { plan, severity, at })
      const priority = priorityOf(severity)
      const target = SUPPORT_PLANS[plan].responseTargets[priority]
      t.match(body, {
        organizationId: null,
        plan,
        severity,
        priority,
        targetSeconds: target.targetSeconds,
        targetDuration: durations[target.targetSeconds],
        label: target.label,
        calendarId: target.calendarId,
        businessHours: target.calendarId !== 'always',
        timeZone: target.calendarId === 'always' ? 'UTC' : 'America/Los_Angeles',
        startAt: '2026-03-11T15:00:00.000Z'
      }, `${plan} ${severity}`)
      t.equal(body.dueAt, expectedDue[plan]![priority], `${plan} ${severity} dueAt`)
      checkSegments(t, body)
    }
  }
  // the mapping of the terms, spelled out once more
  const mapping = Object.fromEntries(PLAN_IDS.map((p) => [p, ['P1', 'P2', 'P3'].map((pr) => {
    const x = SUPPORT_PLANS[p].responseTargets[pr as 'P1']
    return `${x.targetSeconds / 3600}h@${x.calendarId}`
  })]))
  t.same(mapping, {
    basic: ['24h@business-hours-with-holidays', '24h@business-hours-with-holidays', '24h@business-hours-with-holidays'],
    enhanced: ['1h@business-hours', '6h@business-hours', '24h@business-hours'],
    premier: ['1h@always', '4h@business-hours', '24h@business-hours']
  })
})

t.test('segments explain a 24 BH deadline in UTC and in Pacific local time', async (t) => {
  const body = await ok(t, { plan: 'basic', severity: 'low', at: '2026-03-11T08:00:00.000-07:00' })
  t.same(body.segments, [
    { start: '2026-03-11T15:00:00.000Z', end: '2026-03-12T01:00:00.000Z', startLocal: '2026-03-11T08:00:00.000-07:00', endLocal: '2026-03-11T18:00:00.000-07:00', seconds: 36000 },
    { start: '2026-03-12T13:00:00.000Z', end: '2026-03-13T01:00:00.000Z', startLocal: '2026-03-12T06:00:00.000-07:00', endLocal: '2026-03-12T18:00:00.000-07:00', seconds: 43200 },
    { start: '2026-03-13T13:00:00.000Z', end: '2026-03-13T15:00:00.000Z', startLocal: '2026-03-13T06:00:00.000-07:00', endLocal: '2026-03-13T08:00:00.000-07:00', seconds: 7200 }
  ])
  t.equal(body.dueAtLocal, '2026-03-13T08:00:00.000-07:00')
})

t.test('across both 2026 DST changes', async (t) => {
  // Premier P1 on 24/7: exactly one real hour, also across the November fall-back (01:30 PDT + 1h = 01:30 PST)
  const fall = await ok(t, { plan: 'premier', severity: 'urgent', at: '2026-11-01T01:30:00.000-07:00' })
  t.equal(fall.startAt, '2026-11-01T08:30:00.000Z')
  t.equal(fall.dueAt, '2026-11-01T09:30:00.000Z')
  t.equal(Date.parse(fall.dueAt) - Date.parse(fall.startAt), 3_600_000, 'exactly +1h')
  t.equal(fall.calendarId, 'always')
  checkSegments(t, fall)
  const spring = await ok(t, { plan: 'premier', severity: 'urgent', at: '2026-03-08T01:30:00.000-08:00' })
  t.equal(Date.parse(spring.dueAt) - Date.parse(spring.startAt), 3_600_000, 'exactly +1h across the spring-forward gap')

  // Enhanced P1 (1 BH) from Friday 17:30: 30 min on Friday, 30 min on Monday after the change
  const march = await ok(t, { plan: 'enhanced', severity: 'urgent', at: '2026-03-06T17:30:00.000-08:00' })
  t.equal(march.dueAt, '2026-03-09T13:30:00.000Z')
  t.equal(march.dueAtLocal, '2026-03-09T06:30:00.000-07:00')
  t.same(march.segments.map((s: Segment) => [s.startLocal, s.endLocal]), [
    ['2026-03-06T17:30:00.000-08:00', '2026-03-06T18:00:00.000-08:00'],
    ['2026-03-09T06:00:00.000-07:00', '2026-03-09T06:30:00.000-07:00']
  ])
  const november = await ok(t, { plan: 'enhanced', severity: 'urgent', at: '2026-10-30T17:30:00.000-07:00' })
  t.equal(november.dueAt, '2026-11-02T14:30:00.000Z')
  t.same(november.segments.map((s: Segment) => [s.startLocal, s.endLocal]), [
    ['2026-10-30T17:30:00.000-07:00', '2026-10-30T18:00:00.000-07:00'],
    ['2026-11-02T06:00:00.000-08:00', '2026-11-02T06:30:00.000-08:00']
  ])
})

t.test('seeded holidays: Basic skips Friday July 3 2026 (observed Independence Day), Enhanced counts it', async (t) => {
  const at = '2026-07-02T10:00:00.000-07:00'
  const basic = await ok(t, { plan: 'basic', severity: 'high', at })
  t.equal(basic.dueAt, '2026-07-07T17:00:00.000Z', 'Thu 8h + Mon 12h + Tue 4h')
  t.notOk(basic.segments.some((s: Segment) => s.startLocal.startsWith('2026-07-03')), 'nothing counted on the holiday')
  checkSegments(t, basic)
  const enhanced = await ok(t, { plan: 'enhanced', severity: 'low', at })
  t.equal(enhanced.dueAt, '2026-07-06T17:00:00.000Z', 'business-hours is open on holidays: Thu 8h + Fri 12h + Mon 4h')
  // Thanksgiving 2026 (Thursday) is a holiday; the Friday after is not a federal holiday
  const thanksgiving = await ok(t, { plan: 'basic', severity: 'urgent', at: '2026-11-25T06:00:00.000-08:00' })
  t.equal(thanksgiving.dueAt, '2026-11-28T02:00:00.000Z', 'Wed 12h + Fri 12h = 24h, the deadline is Friday at closing time (18:00 PST)')
})

t.test('a new holiday changes later previews, not what was computed before', async (t) => {
  const admin = await h.adminToken()
  const friday = { plan: 'basic', severity: 'medium', at: '2026-03-13T10:00:00.000-07:00' }
  const before = await ok(t, friday)
  t.equal(before.dueAt, '2026-03-17T17:00:00.000Z', 'Fri 8h + Mon 12h + Tue 4h')
  const earlier = await ok(t, { plan: 'basic', severity: 'medium', at: '2026-03-11T08:00:00.000-07:00' })
  const snapshot = JSON.stringify(before)

  const put = await h.request(admin, { method: 'PUT', url: '/v1/calendars/business-hours-with-holidays/holidays/2026-03-16', payload: { name: 'Company day off' } })
  t.equal(put.statusCode, 201, put.body)

  const after = await ok(t, friday)
  t.equal(after.dueAt, '2026-03-18T17:00:00.000Z', 'Monday is skipped: Fri 8h + Tue 12h + Wed 4h')
  t.notOk(after.segments.some((s: Segment) => s.startLocal.startsWith('2026-03-16')))
  checkSegments(t, after)
  t.equal(JSON.stringify(before), snapshot, 'the deadline computed before is not rewritten')
  const earlierAfter = await ok(t, { plan: 'basic', severity: 'medium', at: '2026-03-11T08:00:00.000-07:00' })
  t.equal(earlierAfter.dueAt, earlier.dueAt, 'a deadline counted entirely before the holiday does not move')
  const enhanced = await ok(t, { plan: 'enhanced', severity: 'low', at: friday.at })
  t.equal(enhanced.dueAt, '2026-03-17T17:00:00.000Z', 'business-hours ignores the holiday')

  const del = await h.request(admin, { method: 'DELETE', url: '/v1/calendars/business-hours-with-holidays/holidays/2026-03-16' })
  t.equal(del.statusCode, 204)
  t.equal((await ok(t, friday)).dueAt, before.dueAt, 'removing the holiday restores the deadline for later previews')
})

t.test('segments always sum to the target (deterministic pseudo-random starts over three years)', async (t) => {
  let seed = 42
  const rnd = () => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed / 2 ** 31 }
  const from = Date.parse('2026-01-01T00:00:00.000Z')
  const span = Date.parse('2029-01-01T00:00:00.000Z') - from
  for (let i = 0; i < 40; i++) {
    const at = new Date(from + Math.floor(rnd() * span / 60_000) * 60_000 + Math.floor(rnd() * 60_000)).toISOString()
    const plan = PLAN_IDS[i % 3]!
    const severity = SEVERITIES[Math.floor(rnd() * 4)]!
    const body = await ok(t, { plan, severity, at })
    t.equal(body.startAt, at)
    checkSegments(t, body)
  }
})

t.test('organizationId: the organization\'s plan; customers only their own (another is 404)', async (t) => {
  const mine = await h.createOrg('premier')
  const other = await h.createOrg('basic')
  const customer = await h.customerToken(mine.id)
  const own = await ok(t, { organizationId: mine.id, severity: 'urgent', at: '2026-03-11T08:00:00.000-07:00' }, customer)
  t.match(own, { organizationId: mine.id, plan: 'premier', priority: 'P1', calendarId: 'always', dueAt: '2026-03-11T16:00:00.000Z' })
  const foreign = await preview({ organizationId: other.id, severity: 'urgent' }, customer)
  t.equal(foreign.statusCode, 404)
  t.match(foreign.headers['content-type'], /application\/problem\+json/)
  t.equal(foreign.json().code, 'not-found')
  const plan = await ok(t, { plan: 'basic', severity: 'low' }, customer)
  t.equal(plan.plan, 'basic', 'customers may preview any plan')
  const staff = await ok(t, { organizationId: other.id, severity: 'high' }, await h.agentToken())
  t.equal(staff.plan, 'basic')
  const unknown = await preview({ organizationId: '00000000-0000-4000-8000-000000000000', severity: 'high' }, await h.adminToken())
  t.equal(unknown.statusCode, 404)
  const lapsed = await h.createOrg('enhanced', { subscription: { status: 'canceled', termStart: '2026-01-01T00:00:00.000Z', termEnd: '2027-01-01T00:00:00.000Z' } })
  const refused = await preview({ organizationId: lapsed.id, severity: 'high' })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'subscription-inactive')
})

t.test('exactly one of plan / organizationId, and other invalid bodies, are 400 problems', async (t) => {
  const org = await h.createOrg('basic')
  for (const payload of [{ severity: 'high' }, { plan: 'basic', organizationId: org.id, severity: 'high' }]) {
    const res = await preview(payload)
    t.equal(res.statusCode, 400, JSON.stringify(payload))
    t.match(res.headers['content-type'], /application\/problem\+json/)
    t.match(res.json(), { code: 'validation-failed', status: 400, type: /validation-failed$/, detail: /Exactly one of plan or organizationId/ })
    t.match(res.json().errors, [{ path: '/plan' }, { path: '/organizationId' }])
  }
  for (const payload of [
    { plan: 'gold', severity: 'high' },
    { plan: 'basic' },
    { plan: 'basic', severity: 'critical' },
    { plan: 'basic', severity: 'high', at: 'yesterday' },
    { plan: 'basic', severity: 'high', extra: 1 },
    { organizationId: 'not-a-uuid', severity: 'high' }
  ]) {
    const res = await preview(payload)
    t.equal(res.statusCode, 400, JSON.stringify(payload))
    t.equal(res.json().code, 'validation-failed')
  }
  const unauth = await h.request(null, { method: 'POST', url, payload: { plan: 'basic', severity: 'high' } })
  t.equal(unauth.statusCode, 401)
})

t.test('at defaults to now (the clock)', async (t) => {
  h.clock.set('2026-03-11T08:00:00.000-07:00')
  const body = await ok(t, { plan: 'enhanced', severity: 'urgent' })
  t.equal(body.startAt, '2026-03-11T15:00:00.000Z')
  t.equal(body.dueAt, '2026-03-11T16:00:00.000Z')
})
