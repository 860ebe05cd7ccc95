/**
 * Table-driven tests of the business-time engine. Every expected value is worked out by hand in the comments
 * (local times in America/Los_Angeles: PST = -08:00 before 2026-03-08 02:00 and from 2026-11-01 02:00, PDT = -07:00
 * between). Weekdays used: 2026-01-01 Thu, 2026-01-09 Fri, 2026-03-06 Fri, 2026-03-08 Sun (DST starts),
 * 2026-05-22 Fri, 2026-05-25 Mon (Memorial Day), 2026-07-03 Fri (Independence Day observed), 2026-10-30 Fri,
 * 2026-11-01 Sun (DST ends), 2026-11-26 Thu (Thanksgiving).
 */
import t from 'tap'
import {
  addBusinessTime,
  assertValidCalendar,
  businessSegments,
  businessTimeBetween,
  isOpenAt,
  isOpenDuring,
  localIso,
  windowsOnLocalDate,
  type BusinessCalendar
} from '../../../src/domain/sla/calendar.js'
import { BUILT_IN_CALENDARS, toBusinessCalendar } from '../../../src/domain/sla/calendars.js'

const H = 3600
const d = (iso: string): Date => new Date(iso)

// a hand-typed holiday list for the table (the seeded list comes from date-holidays and is tested in calendars.test)
const HOLIDAYS = ['2026-01-01', '2026-01-19', '2026-05-25', '2026-07-03', '2026-11-26', '2026-11-27', '2026-12-25']
const BHH = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours-with-holidays'], HOLIDAYS)
// the same holidays given to business-hours must be ignored (observesHolidays: false)
const BH = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours'], HOLIDAYS)
const ALWAYS = toBusinessCalendar(BUILT_IN_CALENDARS.always)
// a 24/7 calendar in a DST zone (not built in): its days are 23 h / 25 h long on DST change days and flow continuously
const ALWAYS_LA: BusinessCalendar = {
  id: 'always-la',
  timeZone: 'America/Los_Angeles',
  windows: ([1, 2, 3, 4, 5, 6, 7] as const).map((weekday) => ({ weekday, startMinute: 0, endMinute: 1440 })),
  observesHolidays: false,
  holidays: new Set()
}

interface AddCase { name: string; cal: BusinessCalendar; start: string; seconds: number; expected: string }

const addCases: AddCase[] = [
  // Friday 17:30 + 1 BH: 30 min Friday (17:30–18:00) + 30 min Monday (06:00–06:30)
  { name: 'Fri 17:30 + 1 BH (business-hours)', cal: BH, start: '2026-01-09T17:30:00-08:00', seconds: H, expected: '2026-01-12T06:30:00-08:00' },
  { name: 'Fri 17:30 + 1 BH (with holidays)', cal: BHH, start: '2026-01-09T17:30:00-08:00', seconds: H, expected: '2026-01-12T06:30:00-08:00' },
  // always: 17:30 PST = 01:30Z Saturday, plus one real hour
  { name: 'Fri 17:30 + 1 h (always)', cal: ALWAYS, start: '2026-01-09T17:30:00-08:00', seconds: H, expected: '2026-01-10T02:30:00Z' },

  // starts on Saturday: counting begins Monday 06:00
  { name: 'Saturday + 1 BH', cal: BH, start: '2026-01-10T10:00:00-08:00', seconds: H, expected: '2026-01-12T07:00:00-08:00' },
  { name: 'Saturday + 1 BH (with holidays)', cal: BHH, start: '2026-01-10T10:00:00-08:00', seconds: H, expected: '2026-01-12T07:00:00-08:00' },
  { name: 'Saturday + 1 h (always)', cal: ALWAYS, start: '2026-01-10T10:00:00Z', seconds: H, expected: '2026-01-10T11:00:00Z' },

  // on a holiday (MLK Day, Mon 2026-01-19): closed with holidays -> Tue 06:00 + 1 h; open without
  { name: 'holiday 09:00 + 1 BH (with holidays)', cal: BHH, start: '2026-01-19T09:00:00-08:00', seconds: H, expected: '2026-01-20T07:00:00-08:00' },
  { name: 'holiday 09:00 + 1 BH (business-hours is open)', cal: BH, start: '2026-01-19T09:00:00-08:00', seconds: H, expected: '2026-01-19T10:00:00-08:00' },
  { name: 'holiday 09:00 + 1 h (always)', cal: ALWAYS, start: '2026-01-19T17:00:00Z', seconds: H, expected: '2026-01-19T18:00:00Z' },

  // before 06:00: counting begins at 06:00 the same day
  { name: 'Tue 05:00 + 1 BH', cal: BH, start: '2026-01-13T05:00:00-08:00', seconds: H, expected: '2026-01-13T07:00:00-08:00' },
  { name: 'Tue 05:00 + 1 BH (with holidays)', cal: BHH, start: '2026-01-13T05:00:00-08:00', seconds: H, expected: '2026-01-13T07:00:00-08:00' },

  // exactly at 18:00: closed, counting begins Wednesday 06:00
  { name: 'Tue 18:00 + 1 BH', cal: BH, start: '2026-01-13T18:00:00-08:00', seconds: H, expected: '2026-01-14T07:00:00-08:00' },
  { name: 'Tue 18:00 + 1 BH (with holidays)', cal: BHH, start: '2026-01-13T18:00:00-08:00', seconds: H, expected: '2026-01-14T07:00:00-08:00' },
  // a target used up exactly at closing ends AT closing
  { name: 'Tue 17:00 + 1 BH ends at 18:00', cal: BH, start: '2026-01-13T17:00:00-08:00', seconds: H, expected: '2026-01-13T18:00:00-08:00' },
  { name: 'Tue 06:00 + 12 BH ends at 18:00', cal: BH, start: '2026-01-13T06:00:00-08:00', seconds: 12 * H, expected: '2026-01-13T18:00:00-08:00' },
  { name: 'Tue 06:00 + 24 BH ends Wed 18:00', cal: BH, start: '2026-01-13T06:00:00-08:00', seconds: 24 * H, expected: '2026-01-14T18:00:00-08:00' },
  // Tue 05:59 + 12 BH: counting 06:00–18:00
  { name: 'Tue 05:59 + 12 BH ends at 18:00', cal: BH, start: '2026-01-13T05:59:00-08:00', seconds: 12 * H, expected: '2026-01-13T18:00:00-08:00' },

  // DST starts Sun 2026-03-08: Fri 17:00 PST + 2 BH = 1 h Friday + 1 h Monday, Monday in PDT
  { name: 'across 2026-03-08 DST, 2 BH', cal: BH, start: '2026-03-06T17:00:00-08:00', seconds: 2 * H, expected: '2026-03-09T07:00:00-07:00' },
  { name: 'across 2026-03-08 DST, 2 BH (with holidays)', cal: BHH, start: '2026-03-06T17:00:00-08:00', seconds: 2 * H, expected: '2026-03-09T07:00:00-07:00' },
  // Fri 12:00 + 24 BH: Fri 6 h, Mon 12 h (18), Tue 6 h -> Tue 12:00 PDT
  { name: 'across 2026-03-08 DST, 24 BH', cal: BH, start: '2026-03-06T12:00:00-08:00', seconds: 24 * H, expected: '2026-03-10T12:00:00-07:00' },
  { name: 'across 2026-03-08 DST, 24 BH (with holidays)', cal: BHH, start: '2026-03-06T12:00:00-08:00', seconds: 24 * H, expected: '2026-03-10T12:00:00-07:00' },
  // always (UTC): 01:00 PST = 09:00Z, two real hours later is 11:00Z (= 04:00 PDT)
  { name: 'across 2026-03-08 DST, 2 h (always)', cal: ALWAYS, start: '2026-03-08T01:00:00-08:00', seconds: 2 * H, expected: '2026-03-08T04:00:00-07:00' },
  { name: 'across 2026-03-08 DST, 24 h (always)', cal: ALWAYS, start: '2026-03-07T12:00:00-08:00', seconds: 24 * H, expected: '2026-03-08T13:00:00-07:00' },
  // 24/7 in LA: local midnight + 24 real hours = 01:00 next day (the local day had 23 hours); 01:30 PST + 1 h = 03:30 PDT
  { name: 'across 2026-03-08 DST, 24 h (24/7 LA)', cal: ALWAYS_LA, start: '2026-03-08T00:00:00-08:00', seconds: 24 * H, expected: '2026-03-09T01:00:00-07:00' },
  { name: 'across 2026-03-08 DST, 1 h (24/7 LA)', cal: ALWAYS_LA, start: '2026-03-08T01:30:00-08:00', seconds: H, expected: '2026-03-08T03:30:00-07:00' },

  // DST ends Sun 2026-11-01: Fri 17:00 PDT + 2 BH = 1 h Friday + 1 h Monday, Monday in PST
  { name: 'across 2026-11-01 DST, 2 BH', cal: BH, start: '2026-10-30T17:00:00-07:00', seconds: 2 * H, expected: '2026-11-02T07:00:00-08:00' },
  { name: 'across 2026-11-01 DST, 2 BH (with holidays)', cal: BHH, start: '2026-10-30T17:00:00-07:00', seconds: 2 * H, expected: '2026-11-02T07:00:00-08:00' },
  // Fri 12:00 + 24 BH: Fri 6 h, Mon 12 h (18), Tue 6 h -> Tue 12:00 PST
  { name: 'across 2026-11-01 DST, 24 BH', cal: BH, start: '2026-10-30T12:00:00-07:00', seconds: 24 * H, expected: '2026-11-03T12:00:00-08:00' },
  { name: 'across 2026-11-01 DST, 24 BH (with holidays)', cal: BHH, start: '2026-10-30T12:00:00-07:00', seconds: 24 * H, expected: '2026-11-03T12:00:00-08:00' },
  // always: 01:00 PDT = 08:00Z, + 2 h = 10:00Z (= 02:00 PST)
  { name: 'across 2026-11-01 DST, 2 h (always)', cal: ALWAYS, start: '2026-11-01T01:00:00-07:00', seconds: 2 * H, expected: '2026-11-01T02:00:00-08:00' },
  { name: 'across 2026-11-01 DST, 24 h (always)', cal: ALWAYS, start: '2026-10-31T12:00:00-07:00', seconds: 24 * H, expected: '2026-11-01T11:00:00-08:00' },
  // 24/7 LA: local midnight + 24 h = 23:00 the same local date (the day had 25 hours); 01:30 PDT + 1 h = 01:30 PST
  { name: 'across 2026-11-01 DST, 24 h (24/7 LA)', cal: ALWAYS_LA, start: '2026-11-01T00:00:00-07:00', seconds: 24 * H, expected: '2026-11-01T23:00:00-08:00' },
  { name: 'across 2026-11-01 DST, 1 h (24/7 LA)', cal: ALWAYS_LA, start: '2026-11-01T01:30:00-07:00', seconds: H, expected: '2026-11-01T01:30:00-08:00' },

  // across New Year: Wed 2025-12-31 17:00 + 24 BH
  // with holidays: Wed 1 h, Thu 01-01 holiday, Fri 12 h (13), weekend, Mon 01-05 11 h -> 17:00
  { name: 'across New Year, 24 BH (with holidays)', cal: BHH, start: '2025-12-31T17:00:00-08:00', seconds: 24 * H, expected: '2026-01-05T17:00:00-08:00' },
  // without: Wed 1 h, Thu 12 h (13), Fri 11 h -> Fri 17:00
  { name: 'across New Year, 24 BH', cal: BH, start: '2025-12-31T17:00:00-08:00', seconds: 24 * H, expected: '2026-01-02T17:00:00-08:00' },
  { name: 'across New Year, 24 h (always)', cal: ALWAYS, start: '2025-12-31T17:00:00-08:00', seconds: 24 * H, expected: '2026-01-02T01:00:00Z' },

  // Thanksgiving Thu 11-26 + Friday 11-27 both holidays: Wed 11-25 12:00 + 24 BH
  // with holidays: Wed 6 h, Thu+Fri closed, weekend, Mon 11-30 12 h (18), Tue 12-01 6 h -> 12:00
  { name: 'Thanksgiving Thu+Fri, 24 BH (with holidays)', cal: BHH, start: '2026-11-25T12:00:00-08:00', seconds: 24 * H, expected: '2026-12-01T12:00:00-08:00' },
  // without: Wed 6 h, Thu 12 h (18), Fri 6 h -> Fri 12:00
  { name: 'Thanksgiving Thu+Fri, 24 BH', cal: BH, start: '2026-11-25T12:00:00-08:00', seconds: 24 * H, expected: '2026-11-27T12:00:00-08:00' },
  // starting on the Thanksgiving Thursday itself: first hour counted is Mon 11-30 06:00–07:00
  { name: 'Thanksgiving Thursday + 1 BH (with holidays)', cal: BHH, start: '2026-11-26T09:00:00-08:00', seconds: H, expected: '2026-11-30T07:00:00-08:00' },

  // 24 BH spanning the Memorial Day weekend: Fri 05-22 10:00 PDT
  // with holidays: Fri 8 h, Mon 05-25 holiday, Tue 12 h (20), Wed 4 h -> Wed 10:00
  { name: 'Memorial Day weekend, 24 BH (with holidays)', cal: BHH, start: '2026-05-22T10:00:00-07:00', seconds: 24 * H, expected: '2026-05-27T10:00:00-07:00' },
  // without: Fri 8 h, Mon 12 h (20), Tue 4 h -> Tue 10:00
  { name: 'Memorial Day weekend, 24 BH', cal: BH, start: '2026-05-22T10:00:00-07:00', seconds: 24 * H, expected: '2026-05-26T10:00:00-07:00' },
  // Independence Day weekend (observed Fri 07-03): Thu 07-02 06:00 + 24 BH = Thu 12 h + Mon 07-06 12 h, ends AT closing
  { name: 'July 4th weekend, 24 BH ends at closing (with holidays)', cal: BHH, start: '2026-07-02T06:00:00-07:00', seconds: 24 * H, expected: '2026-07-06T18:00:00-07:00' },

  // long targets: 1000 BH from Mon 2026-01-05 06:00 = 83 full 12-hour days + 4 h. 83 business days from Jan 5:
  // 16 weeks (80 days, through Fri Apr 24) + Mon Apr 27, Tue 28, Wed 29; then 4 h on Thu Apr 30 (PDT) -> 10:00
  { name: '1000 BH (business-hours)', cal: BH, start: '2026-01-05T06:00:00-08:00', seconds: 1000 * H, expected: '2026-04-30T10:00:00-07:00' },
  // 1000 h on always = 41 days 16 h
  { name: '1000 h (always)', cal: ALWAYS, start: '2026-01-05T06:00:00Z', seconds: 1000 * H, expected: '2026-02-15T22:00:00Z' },

  // millisecond precision: 17:59:59.999 + 0.002 s = 1 ms Tue + 1 ms Wed
  { name: 'ms precision across closing', cal: BH, start: '2026-01-13T17:59:59.999-08:00', seconds: 0.002, expected: '2026-01-14T06:00:00.001-08:00' },

  // target 0: start when inside a window or on its closing edge, else the next opening
  { name: 'target 0 inside hours', cal: BH, start: '2026-01-13T09:15:00-08:00', seconds: 0, expected: '2026-01-13T09:15:00-08:00' },
  { name: 'target 0 at opening', cal: BH, start: '2026-01-13T06:00:00-08:00', seconds: 0, expected: '2026-01-13T06:00:00-08:00' },
  { name: 'target 0 at closing edge', cal: BH, start: '2026-01-13T18:00:00-08:00', seconds: 0, expected: '2026-01-13T18:00:00-08:00' },
  { name: 'target 0 just after closing', cal: BH, start: '2026-01-13T18:00:00.001-08:00', seconds: 0, expected: '2026-01-14T06:00:00-08:00' },
  { name: 'target 0 on Saturday', cal: BH, start: '2026-01-10T12:00:00-08:00', seconds: 0, expected: '2026-01-12T06:00:00-08:00' },
  { name: 'target 0 on a holiday', cal: BHH, start: '2026-01-19T12:00:00-08:00', seconds: 0, expected: '2026-01-20T06:00:00-08:00' },
  { name: 'target 0 (always)', cal: ALWAYS, start: '2026-01-10T12:34:56.789Z', seconds: 0, expected: '2026-01-10T12:34:56.789Z' }
]

t.test('addBusinessTime: hand-worked table', async (t) => {
  for (const c of addCases) {
    t.equal(addBusinessTime(d(c.start), c.seconds, c.cal).toISOString(), d(c.expected).toISOString(), c.name)
  }
})

t.test('businessTimeBetween: hand-worked table', async (t) => {
  const cases: Array<{ name: string; cal: BusinessCalendar; a: string; b: string; expected: number }> = [
    // Fri 06:00 PST .. Mon 18:00 PDT across the spring change: Fri 12 h + Mon 12 h
    { name: 'Fri..Mon across spring DST', cal: BH, a: '2026-03-06T06:00:00-08:00', b: '2026-03-09T18:00:00-07:00', expected: 24 * H },
    // Fri 17:00 .. Mon 07:00 across the autumn change: 1 h + 1 h
    { name: 'Fri 17:00..Mon 07:00 across autumn DST', cal: BHH, a: '2026-10-30T17:00:00-07:00', b: '2026-11-02T07:00:00-08:00', expected: 2 * H },
    // 24/7 LA: the spring-forward local day lasts 23 h, the fall-back one 25 h
    { name: 'spring-forward local day (24/7 LA)', cal: ALWAYS_LA, a: '2026-03-08T00:00:00-08:00', b: '2026-03-09T00:00:00-07:00', expected: 23 * H },
    { name: 'fall-back local day (24/7 LA)', cal: ALWAYS_LA, a: '2026-11-01T00:00:00-07:00', b: '2026-11-02T00:00:00-08:00', expected: 25 * H },
    { name: 'same instants on always (UTC)', cal: ALWAYS, a: '2026-11-01T00:00:00-07:00', b: '2026-11-02T00:00:00-08:00', expected: 25 * H },
    // Thanksgiving week Wed 00:00 .. Mon 00:00: with holidays only Wednesday counts; without, Wed+Thu+Fri
    { name: 'Thanksgiving week (with holidays)', cal: BHH, a: '2026-11-25T00:00:00-08:00', b: '2026-11-30T00:00:00-08:00', expected: 12 * H },
    { name: 'Thanksgiving week', cal: BH, a: '2026-11-25T00:00:00-08:00', b: '2026-11-30T00:00:00-08:00', expected: 36 * H },
    // weekend only
    { name: 'Sat..Sun', cal: BH, a: '2026-01-10T00:00:00-08:00', b: '2026-01-11T23:59:59-08:00', expected: 0 },
    // 2026 starts on a Thursday and has 365 = 52 * 7 + 1 days, so 52 * 5 + 1 = 261 weekdays; all 7 test holidays
    // are weekdays -> 254 business days with holidays
    { name: 'year 2026 (with holidays)', cal: BHH, a: '2026-01-01T00:00:00-08:00', b: '2027-01-01T00:00:00-08:00', expected: 254 * 12 * H },
    { name: 'year 2026', cal: BH, a: '2026-01-01T00:00:00-08:00', b: '2027-01-01T00:00:00-08:00', expected: 261 * 12 * H },
    { name: 'year 2026 (always)', cal: ALWAYS, a: '2026-01-01T00:00:00Z', b: '2027-01-01T00:00:00Z', expected: 365 * 24 * H },
    // millisecond precision
    { name: 'one millisecond', cal: BH, a: '2026-01-13T06:00:00.000-08:00', b: '2026-01-13T06:00:00.001-08:00', expected: 0.001 },
    { name: 'one millisecond before opening', cal: BH, a: '2026-01-13T05:59:59.999-08:00', b: '2026-01-13T06:00:00.000-08:00', expected: 0 },
    // b <= a
    { name: 'b == a', cal: ALWAYS, a: '2026-01-13T10:00:00Z', b: '2026-01-13T10:00:00Z', expected: 0 },
    { name: 'b < a', cal: ALWAYS, a: '2026-01-13T10:00:00Z', b: '2026-01-12T10:00:00Z', expected: 0 }
  ]
  for (const c of cases) t.equal(businessTimeBetween(d(c.a), d(c.b), c.cal), c.expected, c.name)
})

const seg = (s: string, e: string): { start: string; end: string } => ({ start: d(s).toISOString(), end: d(e).toISOString() })
const isoSegs = (xs: Array<{ start: Date; end: Date }>): Array<{ start: string; end: string }> =>
  xs.map((x) => ({ start: x.start.toISOString(), end: x.end.toISOString() }))

t.test('businessSegments explains the deadline', async (t) => {
  t.same(isoSegs(businessSegments(d('2026-01-09T17:30:00-08:00'), H, BH)), [
    seg('2026-01-09T17:30:00-08:00', '2026-01-09T18:00:00-08:00'),
    seg('2026-01-12T06:00:00-08:00', '2026-01-12T06:30:00-08:00')
  ], 'Fri 17:30 + 1 BH')
  t.same(isoSegs(businessSegments(d('2026-07-02T06:00:00-07:00'), 24 * H, BHH)), [
    seg('2026-07-02T06:00:00-07:00', '2026-07-02T18:00:00-07:00'),
    seg('2026-07-06T06:00:00-07:00', '2026-07-06T18:00:00-07:00')
  ], 'July 4th weekend: the observed Friday is skipped, the last segment ends at closing')
  t.same(isoSegs(businessSegments(d('2026-03-07T10:00:00Z'), 48 * H, ALWAYS)), [
    seg('2026-03-07T10:00:00Z', '2026-03-09T10:00:00Z')
  ], 'always: days meeting at midnight are one segment')
  t.same(isoSegs(businessSegments(d('2026-03-07T10:00:00-08:00'), 48 * H, ALWAYS_LA)), [
    seg('2026-03-07T10:00:00-08:00', '2026-03-09T11:00:00-07:00')
  ], '24/7 LA across spring DST: one segment of 48 real hours')
  t.same(businessSegments(d('2026-01-13T09:00:00-08:00'), 0, BH), [], 'target 0 counts nothing')
})

t.test('isOpenDuring: whole interval inside one continuous opening', async (t) => {
  const cases: Array<{ name: string; cal: BusinessCalendar; a: string; b: string; expected: boolean }> = [
    { name: 'Tue 09:00–10:00', cal: BH, a: '2026-01-13T09:00:00-08:00', b: '2026-01-13T10:00:00-08:00', expected: true },
    { name: 'Tue 06:00–18:00 (the whole day)', cal: BH, a: '2026-01-13T06:00:00-08:00', b: '2026-01-13T18:00:00-08:00', expected: true },
    { name: 'Tue 17:30–18:00 ends at closing', cal: BH, a: '2026-01-13T17:30:00-08:00', b: '2026-01-13T18:00:00-08:00', expected: true },
    { name: 'Tue 17:30–18:01 runs past closing', cal: BH, a: '2026-01-13T17:30:00-08:00', b: '2026-01-13T18:01:00-08:00', expected: false },
    { name: 'Tue 05:59–06:30 starts before opening', cal: BH, a: '2026-01-13T05:59:00-08:00', b: '2026-01-13T06:30:00-08:00', expected: false },
    { name: 'Tue 18:00–18:30 after closing', cal: BH, a: '2026-01-13T18:00:00-08:00', b: '2026-01-13T18:30:00-08:00', expected: false },
    { name: 'Tue 17:00 – Wed 07:00 spans the night', cal: BH, a: '2026-01-13T17:00:00-08:00', b: '2026-01-14T07:00:00-08:00', expected: false },
    { name: 'Saturday', cal: BH, a: '2026-01-10T10:00:00-08:00', b: '2026-01-10T11:00:00-08:00', expected: false },
    { name: 'holiday (with holidays)', cal: BHH, a: '2026-01-19T10:00:00-08:00', b: '2026-01-19T11:00:00-08:00', expected: false },
    { name: 'holiday (business-hours is open)', cal: BH, a: '2026-01-19T10:00:00-08:00', b: '2026-01-19T11:00:00-08:00', expected: true },
    { name: 'Monday after spring DST', cal: BH, a: '2026-03-09T06:00:00-07:00', b: '2026-03-09T08:00:00-07:00', expected: true },
    { name: 'always across midnight', cal: ALWAYS, a: '2026-01-13T23:00:00Z', b: '2026-01-14T01:00:00Z', expected: true },
    { name: 'always for a week', cal: ALWAYS, a: '2026-01-13T23:00:00Z', b: '2026-01-20T23:00:00Z', expected: true },
    { name: '24/7 LA across the spring change', cal: ALWAYS_LA, a: '2026-03-07T23:00:00-08:00', b: '2026-03-08T05:00:00-07:00', expected: true },
    { name: 'empty interval', cal: ALWAYS, a: '2026-01-13T23:00:00Z', b: '2026-01-13T23:00:00Z', expected: false },
    { name: 'reversed interval', cal: ALWAYS, a: '2026-01-13T23:00:00Z', b: '2026-01-13T22:00:00Z', expected: false }
  ]
  for (const c of cases) t.equal(isOpenDuring(d(c.a), d(c.b), c.cal), c.expected, c.name)
})

t.test('isOpenAt: [opening, closing)', async (t) => {
  t.equal(isOpenAt(d('2026-01-13T06:00:00-08:00'), BH), true, 'opening instant is open')
  t.equal(isOpenAt(d('2026-01-13T17:59:59.999-08:00'), BH), true)
  t.equal(isOpenAt(d('2026-01-13T18:00:00-08:00'), BH), false, 'closing instant is closed')
  t.equal(isOpenAt(d('2026-07-03T10:00:00-07:00'), BHH), false, 'observed holiday')
  t.equal(isOpenAt(d('2026-07-03T10:00:00-07:00'), BH), true)
  t.equal(isOpenAt(d('2026-07-04T10:00:00Z'), ALWAYS), true)
})

t.test('windowsOnLocalDate', async (t) => {
  t.same(isoSegs(windowsOnLocalDate('2026-03-09', BH)), [seg('2026-03-09T06:00:00-07:00', '2026-03-09T18:00:00-07:00')],
    'Monday after spring DST: 06:00–18:00 PDT = 13:00Z–01:00Z')
  t.same(isoSegs(windowsOnLocalDate('2026-03-06', BH)), [seg('2026-03-06T06:00:00-08:00', '2026-03-06T18:00:00-08:00')],
    'Friday before: PST')
  t.same(windowsOnLocalDate('2026-03-08', BH), [], 'Sunday')
  t.same(windowsOnLocalDate('2026-11-26', BHH), [], 'holiday')
  t.same(isoSegs(windowsOnLocalDate('2026-11-26', BH)), [seg('2026-11-26T06:00:00-08:00', '2026-11-26T18:00:00-08:00')])
  t.same(isoSegs(windowsOnLocalDate('2026-11-01', ALWAYS_LA)), [seg('2026-11-01T00:00:00-07:00', '2026-11-02T00:00:00-08:00')],
    'a 25-hour local day')
  t.throws(() => windowsOnLocalDate('2026-02-30', BH), RangeError)
  t.throws(() => windowsOnLocalDate('2026-2-3', BH), RangeError)
})

t.test('windows: split, overlapping and touching windows', async (t) => {
  // Mon 09:00–12:00 and 13:00–17:00, plus 11:00–12:30 overlapping the first; Tue 22:00–24:00 touching Wed 00:00–02:00
  const cal: BusinessCalendar = {
    id: 'split',
    timeZone: 'Europe/Berlin',
    windows: [
      { weekday: 1, startMinute: 13 * 60, endMinute: 17 * 60 },
      { weekday: 1, startMinute: 9 * 60, endMinute: 12 * 60 },
      { weekday: 1, startMinute: 11 * 60, endMinute: 12 * 60 + 30 },
      { weekday: 2, startMinute: 22 * 60, endMinute: 1440 },
      { weekday: 3, startMinute: 0, endMinute: 2 * 60 }
    ],
    observesHolidays: false,
    holidays: new Set()
  }
  // Mon 2026-01-12 (CET, +01:00): 09:00–12:30 and 13:00–17:00
  t.same(isoSegs(windowsOnLocalDate('2026-01-12', cal)), [
    seg('2026-01-12T09:00:00+01:00', '2026-01-12T12:30:00+01:00'),
    seg('2026-01-12T13:00:00+01:00', '2026-01-12T17:00:00+01:00')
  ])
  // Mon 12:00 + 1 h: 30 min to 12:30, lunch gap, 30 min from 13:00 -> 13:30
  t.equal(addBusinessTime(d('2026-01-12T12:00:00+01:00'), H, cal).toISOString(), d('2026-01-12T13:30:00+01:00').toISOString())
  // Mon 16:00 + 3 h: 1 h Monday, then Tue 22:00–24:00 -> ends Tue 24:00 = Wed 00:00
  t.equal(addBusinessTime(d('2026-01-12T16:00:00+01:00'), 3 * H, cal).toISOString(), d('2026-01-14T00:00:00+01:00').toISOString())
  t.equal(isOpenDuring(d('2026-01-13T23:00:00+01:00'), d('2026-01-14T01:00:00+01:00'), cal), true, 'Tue 23:00–Wed 01:00 flows over midnight')
  t.equal(isOpenDuring(d('2026-01-12T12:00:00+01:00'), d('2026-01-12T13:30:00+01:00'), cal), false, 'lunch gap')
  t.same(isoSegs(businessSegments(d('2026-01-13T23:00:00+01:00'), 2 * H, cal)), [
    seg('2026-01-13T23:00:00+01:00', '2026-01-14T01:00:00+01:00')
  ], 'touching windows give one segment')
})

t.test('holiday changes take effect through a new calendar object', async (t) => {
  const start = d('2026-01-13T17:00:00-08:00') // Tue
  const before = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours-with-holidays'], HOLIDAYS)
  t.equal(addBusinessTime(start, 2 * H, before).toISOString(), d('2026-01-14T07:00:00-08:00').toISOString(), 'Wed is a working day')
  const after = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours-with-holidays'], [...HOLIDAYS, '2026-01-14'])
  t.equal(addBusinessTime(start, 2 * H, after).toISOString(), d('2026-01-15T07:00:00-08:00').toISOString(), 'Wed made a holiday')
  t.equal(addBusinessTime(start, 2 * H, before).toISOString(), d('2026-01-14T07:00:00-08:00').toISOString(), 'old calendar unchanged')
  // a calendar object whose holiday set is swapped is not served from the stale cache either
  const mutable: BusinessCalendar = { ...before, holidays: new Set(HOLIDAYS) }
  t.equal(addBusinessTime(start, 2 * H, mutable).toISOString(), d('2026-01-14T07:00:00-08:00').toISOString())
  mutable.holidays = new Set([...HOLIDAYS, '2026-01-14'])
  t.equal(addBusinessTime(start, 2 * H, mutable).toISOString(), d('2026-01-15T07:00:00-08:00').toISOString())
})

t.test('refusals', async (t) => {
  const start = d('2026-01-13T10:00:00Z')
  t.throws(() => addBusinessTime(start, -1, BH), RangeError, 'negative target')
  t.throws(() => addBusinessTime(start, Number.NaN, BH), RangeError, 'NaN target')
  t.throws(() => addBusinessTime(start, Number.POSITIVE_INFINITY, BH), RangeError, 'infinite target')
  t.throws(() => addBusinessTime(new Date('nope'), 1, BH), RangeError, 'invalid date')
  t.throws(() => businessTimeBetween(start, new Date(Number.NaN), BH), RangeError, 'invalid date')
  t.throws(() => assertValidCalendar({ ...BH, timeZone: 'Mars/Olympus_Mons' }), RangeError, 'unknown zone')
  t.throws(() => addBusinessTime(start, 1, { ...BH, timeZone: 'Mars/Olympus_Mons' }), RangeError, 'unknown zone at use')
  t.throws(() => assertValidCalendar({ ...BH, windows: [] }), RangeError, 'no windows')
  t.throws(() => assertValidCalendar({ ...BH, windows: [{ weekday: 1, startMinute: 600, endMinute: 600 }] }), RangeError, 'empty window')
  t.throws(() => assertValidCalendar({ ...BH, windows: [{ weekday: 1, startMinute: 0, endMinute: 1441 }] }), RangeError, 'past midnight')
  t.doesNotThrow(() => { for (const c of [BH, BHH, ALWAYS, ALWAYS_LA]) assertValidCalendar(c) })
  // a calendar whose only window is on days that are all holidays never opens: refused, not an endless loop
  const mondays: string[] = []
  for (let day = Date.UTC(2026, 0, 5); day < Date.UTC(2040, 0, 1); day += 7 * 86_400_000) mondays.push(new Date(day).toISOString().slice(0, 10))
  const never: BusinessCalendar = { id: 'never', timeZone: 'UTC', windows: [{ weekday: 1, startMinute: 0, endMinute: 60 }], observesHolidays: true, holidays: new Set(mondays) }
  t.throws(() => addBusinessTime(d('2026-01-01T00:00:00Z'), 60, never), RangeError, 'never opens')
})

t.test('localIso renders an instant in the calendar zone', async (t) => {
  t.equal(localIso(d('2026-01-12T14:30:00Z'), 'America/Los_Angeles'), '2026-01-12T06:30:00.000-08:00')
  t.equal(localIso(d('2026-03-09T14:00:00Z'), 'America/Los_Angeles'), '2026-03-09T07:00:00.000-07:00')
  t.equal(localIso(d('2026-03-09T14:00:00Z'), 'UTC'), '2026-03-09T14:00:00.000Z')
  t.throws(() => localIso(d('2026-03-09T14:00:00Z'), 'Mars/Olympus_Mons'), RangeError)
})
