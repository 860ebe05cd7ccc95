/**
 * Property tests (fast-check) of the business-time engine on the three built-in calendars (the holiday calendar with
 * the seeded US federal holidays) plus a 24/7 calendar in a DST zone. Starts are biased towards whole hours (which
 * hit the 06:00 / 18:00 edges and DST changes) and targets towards whole hours and 0.
 */
import t from 'tap'
import fc from 'fast-check'
import { DateTime } from 'luxon'
import {
  addBusinessTime,
  businessSegments,
  businessTimeBetween,
  isOpenDuring,
  type BusinessCalendar
} from '../../../src/domain/sla/calendar.js'
import { BUILT_IN_CALENDARS, toBusinessCalendar, usFederalHolidays } from '../../../src/domain/sla/calendars.js'

const RUNS = 3000
const HOUR_MS = 3_600_000
const FROM = Date.UTC(2025, 0, 1)
const TO = Date.UTC(2029, 0, 1)

const federal = usFederalHolidays([2024, 2025, 2026, 2027, 2028, 2029, 2030]).map((h) => h.date)
const BHH = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours-with-holidays'], federal)
const BH = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours'], federal)
const ALWAYS = toBusinessCalendar(BUILT_IN_CALENDARS.always)
const ALWAYS_LA: BusinessCalendar = {
  id: 'always-la',
  timeZone: 'America/Los_Angeles',
  windows: ([1, 2, 3, 4, 5, 6, 7] as const).map((weekday) => ({ weekday, startMinute: 0, endMinute: 1440 })),
  observesHolidays: false,
  holidays: new Set()
}
const CALENDARS = [BHH, BH, ALWAYS]
const isTwentyFourSeven = (cal: BusinessCalendar): boolean => cal === ALWAYS || cal === ALWAYS_LA

// DST change instants of 2025–2028 in Los Angeles (hand-listed: 2nd Sunday of March, 1st Sunday of November, 02:00)
const DST_CHANGES = [
  '2025-03-09T10:00:00Z', '2025-11-02T09:00:00Z', '2026-03-08T10:00:00Z', '2026-11-01T09:00:00Z',
  '2027-03-14T10:00:00Z', '2027-11-07T09:00:00Z', '2028-03-12T10:00:00Z', '2028-11-05T09:00:00Z'
].map((s) => Date.parse(s))

const startArb: fc.Arbitrary<Date> = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc.integer({ min: FROM / HOUR_MS, max: TO / HOUR_MS }).map((h) => h * HOUR_MS),
  fc.integer({ min: FROM / 60_000, max: TO / 60_000 }).map((m) => m * 60_000),
  fc.tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -72, max: 72 })).map(([c, h]) => c + h * HOUR_MS)
).map((ms) => new Date(ms))

/** targets in whole milliseconds, returned as seconds; up to 400 hours */
const targetArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 400 * HOUR_MS }),
  fc.integer({ min: 0, max: 400 }).map((h) => h * HOUR_MS),
  fc.integer({ min: 0, max: 400 * 60 }).map((m) => m * 60_000),
  fc.constant(0)
).map((ms) => ms / 1000)

const calArb = fc.constantFrom(...CALENDARS, ALWAYS_LA)

/** an oracle independent of the engine: is local wall-clock time of `ms` open on a Mon–Fri 06:00–18:00 calendar? */
function businessPosition (ms: number, cal: BusinessCalendar): { weekday: number; minuteOfDay: number; holiday: boolean } {
  const local = DateTime.fromMillis(ms, { zone: cal.timeZone })
  return {
    weekday: local.weekday,
    minuteOfDay: local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000,
    holiday: cal.observesHolidays && cal.holidays.has(local.toISODate() ?? '')
  }
}

t.test('businessTimeBetween(s, addBusinessTime(s, x)) == x', async (t) => {
  fc.assert(fc.property(calArb, startArb, targetArb, (cal, s, x) => {
    return businessTimeBetween(s, addBusinessTime(s, x, cal), cal) === x
  }), { numRuns: RUNS })
  t.pass()
})

t.test('addBusinessTime(addBusinessTime(s, a), b) == addBusinessTime(s, a + b)', async (t) => {
  fc.assert(fc.property(calArb, startArb, targetArb, targetArb, (cal, s, a, b) => {
    const twoSteps = addBusinessTime(addBusinessTime(s, a, cal), b, cal).getTime()
    const oneStep = addBusinessTime(s, a + b, cal).getTime()
    return twoSteps === oneStep
  }), { numRuns: RUNS })
  t.pass()
})

t.test('a later start never gives an earlier deadline', async (t) => {
  fc.assert(fc.property(calArb, startArb, fc.integer({ min: 0, max: 10 * 24 * HOUR_MS }), targetArb, (cal, s, delta, x) => {
    const later = new Date(s.getTime() + delta)
    return addBusinessTime(later, x, cal).getTime() >= addBusinessTime(s, x, cal).getTime()
  }), { numRuns: RUNS })
  t.pass()
})

t.test('every deadline lies inside a business window or on its closing edge', async (t) => {
  fc.assert(fc.property(fc.constantFrom(BHH, BH), startArb, targetArb, (cal, s, x) => {
    const due = addBusinessTime(s, x, cal)
    const p = businessPosition(due.getTime(), cal)
    if (p.weekday > 5 || p.holiday) return false
    // with a positive target the deadline cannot be an opening instant (the closing before it would be earlier)
    return x > 0 ? p.minuteOfDay > 360 && p.minuteOfDay <= 1080 : p.minuteOfDay >= 360 && p.minuteOfDay <= 1080
  }), { numRuns: RUNS })
  fc.assert(fc.property(fc.constantFrom(ALWAYS, ALWAYS_LA), startArb, targetArb, (cal, s, x) => {
    const due = addBusinessTime(s, x, cal)
    return x === 0 || isOpenDuring(new Date(due.getTime() - 1), due, cal)
  }), { numRuns: RUNS })
  t.pass()
})

t.test('on always (and 24/7 in a DST zone) deadline − start == target', async (t) => {
  fc.assert(fc.property(fc.constantFrom(ALWAYS, ALWAYS_LA), startArb, targetArb, (cal, s, x) => {
    return addBusinessTime(s, x, cal).getTime() - s.getTime() === Math.round(x * 1000)
  }), { numRuns: RUNS })
  t.pass()
})

t.test('segments explain the deadline: they sum to the target, end at it, and are open', async (t) => {
  fc.assert(fc.property(calArb, startArb, targetArb, (cal, s, x) => {
    const due = addBusinessTime(s, x, cal)
    const segs = businessSegments(s, x, cal)
    if (x === 0) return segs.length === 0
    let sum = 0
    let prevEnd = s.getTime()
    for (const g of segs) {
      if (g.start.getTime() < prevEnd || g.end.getTime() <= g.start.getTime()) return false
      if (!isOpenDuring(g.start, g.end, cal)) return false
      sum += g.end.getTime() - g.start.getTime()
      prevEnd = g.end.getTime()
    }
    const last = segs[segs.length - 1]
    return sum === Math.round(x * 1000) && last !== undefined && last.end.getTime() === due.getTime() &&
      (!isTwentyFourSeven(cal) || segs.length === 1)
  }), { numRuns: RUNS })
  t.pass()
})

t.test('businessTimeBetween matches a minute-by-minute count made with luxon', async (t) => {
  // oracle: walk every minute of [a, b) and ask luxon for its local weekday, time and date
  const openMinute = (ms: number, cal: BusinessCalendar): boolean => {
    if (isTwentyFourSeven(cal)) return true
    const p = businessPosition(ms, cal)
    return p.weekday <= 5 && !p.holiday && p.minuteOfDay >= 360 && p.minuteOfDay < 1080
  }
  const minuteStart = fc.oneof(
    fc.integer({ min: FROM / 60_000, max: TO / 60_000 }).map((m) => m * 60_000),
    fc.tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -48 * 60, max: 48 * 60 })).map(([c, m]) => c + m * 60_000)
  )
  fc.assert(fc.property(calArb, minuteStart, fc.integer({ min: 0, max: 3 * 24 * 60 }), (cal, a, minutes) => {
    let expected = 0
    for (let i = 0; i < minutes; i++) if (openMinute(a + i * 60_000, cal)) expected += 60
    return businessTimeBetween(new Date(a), new Date(a + minutes * 60_000), cal) === expected
  }), { numRuns: 150 })
  t.pass()
})

t.test('properties hold on every built-in calendar individually', async (t) => {
  for (const cal of CALENDARS) {
    fc.assert(fc.property(startArb, targetArb, targetArb, (s, a, b) => {
      const da = addBusinessTime(s, a, cal)
      return businessTimeBetween(s, da, cal) === a &&
        addBusinessTime(da, b, cal).getTime() === addBusinessTime(s, a + b, cal).getTime()
    }), { numRuns: 1000 })
    t.pass(cal.id)
  }
})
