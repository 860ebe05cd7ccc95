import t from 'tap'
import fc from 'fast-check'
import { DateTime } from 'luxon'
import { DomainError } from '../../../src/domain/errors.js'
import {
  assertBookableTime,
  assertCallModifiable,
  assertCallTransition,
  assertReschedulable,
  CALL_STATUS_CHANGES,
  describeDay,
  isFinalCallStatus
} from '../../../src/domain/onboarding/calls.js'
import { CALL_STATUSES } from '../../../src/domain/onboarding/entitlement.js'
import { ONBOARDING_POLICY } from '../../../src/domain/policy/policy.js'
import { BUILT_IN_CALENDARS, toBusinessCalendar, usFederalHolidays } from '../../../src/domain/sla/calendars.js'

const BH = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours'])
const BHH = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours-with-holidays'], usFederalHolidays([2026, 2027]).map((h) => h.date))
const term = { termStart: new Date('2026-01-01T00:00:00Z'), termEnd: new Date('2027-01-01T00:00:00Z') }
const NOW = new Date('2026-10-28T12:00:00Z')

const codeOf = (fn: () => void): string | undefined => {
  try { fn(); return undefined } catch (e) { if (e instanceof DomainError) return e.code; throw e }
}
const book = (at: string, minutes = 30, cal = BH, now = NOW) => () => assertBookableTime({ scheduledAt: new Date(at), durationMinutes: minutes, now, term, calendar: cal })

t.test('status machine: scheduled → canceled | completed | no_show; final states refuse everything', async (t) => {
  const past = new Date('2026-10-01T17:00:00Z')
  for (const to of CALL_STATUS_CHANGES) {
    t.equal(codeOf(() => assertCallTransition({ from: 'scheduled', to, by: 'staff', scheduledAt: past, now: NOW })), undefined, `staff: scheduled → ${to} after the start`)
  }
  for (const from of CALL_STATUSES.filter(isFinalCallStatus)) {
    for (const to of CALL_STATUS_CHANGES) {
      for (const by of ['customer', 'staff'] as const) {
        t.equal(codeOf(() => assertCallTransition({ from, to, by, scheduledAt: past, now: NOW })), 'invalid-call-transition', `${by}: ${from} → ${to}`)
      }
    }
    t.equal(codeOf(() => assertCallModifiable(from)), 'invalid-call-transition', `${from} cannot be rescheduled`)
  }
  t.equal(codeOf(() => assertCallModifiable('scheduled')), undefined)
  t.same(CALL_STATUSES.filter(isFinalCallStatus), ['canceled', 'completed', 'no_show'])
})

t.test('timing: completed/no_show only once the call has started; customers cancel only before it starts', async (t) => {
  const start = new Date('2026-11-02T17:00:00Z')
  const before = new Date(start.getTime() - 1)
  t.equal(codeOf(() => assertCallTransition({ from: 'scheduled', to: 'completed', by: 'staff', scheduledAt: start, now: before })), 'invalid-call-transition')
  t.equal(codeOf(() => assertCallTransition({ from: 'scheduled', to: 'no_show', by: 'staff', scheduledAt: start, now: before })), 'invalid-call-transition')
  t.equal(codeOf(() => assertCallTransition({ from: 'scheduled', to: 'completed', by: 'staff', scheduledAt: start, now: start })), undefined, 'at the start instant')
  t.equal(codeOf(() => assertCallTransition({ from: 'scheduled', to: 'canceled', by: 'customer', scheduledAt: start, now: before })), undefined)
  t.equal(codeOf(() => assertCallTransition({ from: 'scheduled', to: 'canceled', by: 'customer', scheduledAt: start, now: start })), 'invalid-call-transition')
  t.equal(codeOf(() => assertCallTransition({ from: 'scheduled', to: 'canceled', by: 'staff', scheduledAt: start, now: new Date('2026-11-03T00:00:00Z') })), undefined)
})

t.test('duration 30–120 minutes', async (t) => {
  t.equal(codeOf(book('2026-11-02T17:00:00Z', ONBOARDING_POLICY.minDurationMinutes)), undefined)
  t.equal(codeOf(book('2026-11-02T17:00:00Z', ONBOARDING_POLICY.maxDurationMinutes)), undefined)
  t.equal(codeOf(book('2026-11-02T17:00:00Z', 29)), 'validation-failed')
  t.equal(codeOf(book('2026-11-02T17:00:00Z', 121)), 'validation-failed')
  t.equal(codeOf(book('2026-11-02T17:00:00Z', 45.5)), 'validation-failed')
})

t.test('in the past (or now) → scheduled-in-past; outside the term → outside-subscription-term', async (t) => {
  t.equal(codeOf(book('2026-10-28T12:00:00Z')), 'scheduled-in-past', 'now itself is not in the future')
  t.equal(codeOf(book('2026-10-27T17:00:00Z')), 'scheduled-in-past')
  t.equal(codeOf(book('2027-01-04T17:00:00Z', 30, BH, NOW)), 'outside-subscription-term', 'after termEnd')
  const err = t.throws(book('2027-01-04T17:00:00Z')) as DomainError
  t.match(err.extras, { termEnd: '2027-01-01T00:00:00.000Z' })
})

t.test('business hours across the 2026-11-01 DST change (America/Los_Angeles: PDT −7 → PST −8)', async (t) => {
  // Friday 2026-10-30, PDT: 06:00 local = 13:00Z
  t.equal(codeOf(book('2026-10-30T13:00:00Z')), undefined, 'Fri 06:00 PDT opens')
  t.equal(codeOf(book('2026-10-30T12:30:00Z')), 'outside-business-hours', 'Fri 05:30 PDT')
  t.equal(codeOf(book('2026-10-31T00:30:00Z')), undefined, 'Fri 17:30 PDT, ends 18:00 exactly')
  t.equal(codeOf(book('2026-10-31T00:30:00Z', 60)), 'outside-business-hours', 'Fri 17:30 PDT for 60 min runs past closing')
  // Sunday 2026-11-01, the change day: closed
  t.equal(codeOf(book('2026-11-01T18:00:00Z')), 'outside-business-hours', 'Sunday')
  // Monday 2026-11-02, PST: 06:00 local = 14:00Z (13:00Z would have been 06:00 a week earlier)
  t.equal(codeOf(book('2026-11-02T13:30:00Z')), 'outside-business-hours', 'Mon 05:30 PST')
  t.equal(codeOf(book('2026-11-02T14:00:00Z')), undefined, 'Mon 06:00 PST')
  t.equal(codeOf(book('2026-11-03T01:30:00Z')), undefined, 'Mon 17:30 PST, ends 18:00')
  t.equal(codeOf(book('2026-11-03T01:31:00Z')), 'outside-business-hours', 'Mon 17:31 PST runs past closing')

  const err = t.throws(book('2026-11-02T13:30:00Z')) as DomainError
  t.equal(err.status, 422)
  t.match(err.message, /2026-11-02 05:30–06:00 \(America\/Los_Angeles, UTC-08:00\)/, 'names the local time')
  t.match(err.message, /on Monday 2026-11-02 it is open 06:00–18:00/, 'names the windows')
  t.same(err.extras, {
    calendarId: 'business-hours',
    timeZone: 'America/Los_Angeles',
    localStart: '2026-11-02T05:30:00.000-08:00',
    localEnd: '2026-11-02T06:00:00.000-08:00',
    localDate: '2026-11-02',
    windows: [{ start: '2026-11-02T14:00:00.000Z', end: '2026-11-03T02:00:00.000Z', localStart: '06:00', localEnd: '18:00' }]
  })
  const pdt = t.throws(book('2026-10-30T12:30:00Z')) as DomainError
  t.match(pdt.message, /UTC-07:00/)
  t.match(pdt.extras, { windows: [{ start: '2026-10-30T13:00:00.000Z', end: '2026-10-31T01:00:00.000Z' }] })
  const sunday = t.throws(book('2026-11-01T18:00:00Z')) as DomainError
  t.match(sunday.message, /Sunday 2026-11-01 is closed/)
  t.same(sunday.extras.windows, [])
})

t.test('the holiday calendar (Basic) is closed on US federal holidays; business-hours is open', async (t) => {
  // Thanksgiving 2026-11-26 (Thursday), 09:00 PST = 17:00Z
  t.equal(codeOf(book('2026-11-26T17:00:00Z', 30, BHH)), 'outside-business-hours')
  t.equal(codeOf(book('2026-11-26T17:00:00Z', 30, BH)), undefined)
  t.equal(codeOf(book('2026-11-25T17:00:00Z', 30, BHH)), undefined)
  t.same(describeDay(new Date('2026-11-26T17:00:00Z'), BHH).windows, [])
})

t.test('property: a time is bookable iff the whole call lies Mon–Fri 06:00–18:00 Los Angeles time (luxon oracle)', async (t) => {
  const from = Date.UTC(2026, 9, 29) // around the DST change and the following weeks
  const to = Date.UTC(2026, 11, 20)
  fc.assert(fc.property(
    fc.integer({ min: from / 60_000, max: to / 60_000 }).map((m) => new Date(Math.round(m / 15) * 15 * 60_000)),
    fc.integer({ min: 30, max: 120 }),
    (start, minutes) => {
      const accepted = codeOf(() => assertBookableTime({ scheduledAt: start, durationMinutes: minutes, now: new Date(from - 1), term, calendar: BH })) === undefined
      const s = DateTime.fromJSDate(start, { zone: 'America/Los_Angeles' })
      const e = s.plus({ minutes })
      const sMin = s.hour * 60 + s.minute
      const eMin = e.hour * 60 + e.minute
      const oracle = s.weekday <= 5 && s.toISODate() === e.toISODate() && sMin >= 360 && eMin <= 1080
      return accepted === oracle
    }
  ), { numRuns: 3000 })
  t.pass('matches the oracle')
})

t.test('rescheduling: customers only before the call starts; staff at any time while scheduled', async (t) => {
  const start = new Date('2026-11-02T17:00:00Z')
  const call = { status: 'scheduled' as const, scheduledAt: start }
  const at = (ms: number) => new Date(start.getTime() + ms)
  t.equal(codeOf(() => assertReschedulable({ call, by: 'customer', now: at(-1) })), undefined, 'customer, 1 ms before the start')
  t.equal(codeOf(() => assertReschedulable({ call, by: 'customer', now: start })), 'call-already-started', 'customer, at the start')
  t.equal(codeOf(() => assertReschedulable({ call, by: 'customer', now: at(150 * 60_000) })), 'call-already-started', 'customer, after the end')
  t.equal(codeOf(() => assertReschedulable({ call, by: 'staff', now: at(150 * 60_000) })), undefined, 'staff, after the end')
  const err = t.throws(() => assertReschedulable({ call, by: 'customer', now: start })) as DomainError
  t.equal(err.status, 409)
  t.match(err.extras, { scheduledAt: '2026-11-02T17:00:00.000Z', currentStatus: 'scheduled' })
  for (const status of CALL_STATUSES.filter(isFinalCallStatus)) {
    for (const by of ['customer', 'staff'] as const) {
      t.equal(codeOf(() => assertReschedulable({ call: { status, scheduledAt: start }, by, now: at(-60_000) })), 'invalid-call-transition', `${by}: ${status}`)
    }
  }
  fc.assert(fc.property(fc.integer({ min: -10 * 86_400_000, max: 10 * 86_400_000 }), (offset) => {
    const code = codeOf(() => assertReschedulable({ call, by: 'customer', now: at(offset) }))
    return code === (offset >= 0 ? 'call-already-started' : undefined)
  }))
})
