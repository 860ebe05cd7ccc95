import t from 'tap'
import {
  BUILT_IN_CALENDARS,
  US_FEDERAL_HOLIDAY_NAMES,
  toBusinessCalendar,
  usFederalHolidays,
  usHolidaySource
} from '../../../src/domain/sla/calendars.js'
import Holidays from 'date-holidays'
import { addBusinessTime, assertValidCalendar } from '../../../src/domain/sla/calendar.js'
import { CALENDAR_IDS } from '../../../src/domain/policy/policy.js'

const weekday = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay() // 0 = Sunday

t.test('built-in calendars', async (t) => {
  t.same(Object.keys(BUILT_IN_CALENDARS).sort(), [...CALENDAR_IDS].sort(), 'one definition per policy calendar id')
  const bhh = BUILT_IN_CALENDARS['business-hours-with-holidays']
  const bh = BUILT_IN_CALENDARS['business-hours']
  const always = BUILT_IN_CALENDARS.always
  for (const def of [bhh, bh]) {
    t.equal(def.timeZone, 'America/Los_Angeles')
    t.same(def.windows, [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 360, endMinute: 1080 })), `${def.id}: Mon–Fri 06:00–18:00`)
  }
  t.equal(bhh.observesHolidays, true)
  t.equal(bhh.seedsUsFederalHolidays, true)
  t.equal(bh.observesHolidays, false, 'business-hours is open on holidays')
  t.equal(bh.seedsUsFederalHolidays, false)
  t.equal(always.timeZone, 'UTC')
  t.same(always.windows, [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startMinute: 0, endMinute: 1440 })), 'always: 24/7')
  t.equal(always.observesHolidays, false)
  for (const def of Object.values(BUILT_IN_CALENDARS)) t.doesNotThrow(() => assertValidCalendar(toBusinessCalendar(def)), def.id)
  t.ok(Object.isFrozen(bhh.windows), 'windows are frozen data')
})

t.test('usFederalHolidays: observed dates of 2026', async (t) => {
  t.same(usFederalHolidays([2026]), [
    { date: '2026-01-01', name: "New Year's Day" },
    { date: '2026-01-19', name: 'Martin Luther King Jr. Day' },
    { date: '2026-02-16', name: "Washington's Birthday" },
    { date: '2026-05-25', name: 'Memorial Day' },
    { date: '2026-06-19', name: 'Juneteenth' },
    // July 4 2026 is a Saturday: observed Friday July 3, and the Saturday itself is not listed
    { date: '2026-07-03', name: 'Independence Day (observed)' },
    { date: '2026-09-07', name: 'Labor Day' },
    { date: '2026-10-12', name: 'Columbus Day' },
    { date: '2026-11-11', name: 'Veterans Day' },
    { date: '2026-11-26', name: 'Thanksgiving Day' },
    { date: '2026-12-25', name: 'Christmas Day' }
  ])
})

t.test('usFederalHolidays: weekend holidays move (2027, 2028)', async (t) => {
  const y2027 = usFederalHolidays([2027])
  const dates2027 = y2027.map((h) => h.date)
  // Juneteenth 2027 is a Saturday -> Fri 06-18; July 4 2027 a Sunday -> Mon 07-05;
  // Christmas 2027 a Saturday -> Fri 12-24; New Year's Day 2028 a Saturday -> Fri 2027-12-31
  for (const date of ['2027-06-18', '2027-07-05', '2027-12-24', '2027-12-31']) t.ok(dates2027.includes(date), `${date} observed`)
  for (const date of ['2027-06-19', '2027-07-04', '2027-12-25']) t.notOk(dates2027.includes(date), `${date} (weekend) not listed`)
  t.equal(y2027.find((h) => h.date === '2027-12-31')?.name, "New Year's Day (observed)")
  t.equal(y2027.length, 12, '2027 holds its own 11 plus the observed New Year of 2028')
  const y2028 = usFederalHolidays([2028])
  t.notOk(y2028.some((h) => h.date === '2028-01-01'), "2028-01-01 (Saturday) is observed in 2027")
  // Veterans Day 2028 is a Saturday -> Fri 11-10 (date-holidays types this substitute as "bank", not "public")
  t.ok(y2028.some((h) => h.date === '2028-11-10' && h.name === 'Veterans Day (observed)'))
  t.equal(y2028.length, 10)
  t.same(usFederalHolidays([2027, 2028]), [...y2027, ...y2028], 'years combine')
})

t.test('usFederalHolidays: only the 11 federal holidays, each observed once a year on a weekday', async (t) => {
  const years = Array.from({ length: 20 }, (_, i) => 2022 + i)
  const all = usFederalHolidays(years)
  const excluded = ['Valentine', 'Easter', 'Tax Day', 'Day after Thanksgiving', 'Christmas Eve', "New Year's Eve", 'Halloween',
    'Election Day', 'Inauguration', "Mother's Day", "Father's Day", "St. Patrick's Day"]
  for (const h of all) {
    if (weekday(h.date) === 0 || weekday(h.date) === 6) t.fail(`${h.date} ${h.name} falls on a weekend`)
    if (excluded.some((x) => h.name.includes(x))) t.fail(`${h.name} is not a federal holiday`)
  }
  t.equal(new Set(all.map((h) => h.date)).size, all.length, 'no duplicate dates')
  // each federal holiday once per "holiday year" (an observed New Year's Day on Dec 31 belongs to the next year)
  for (const name of US_FEDERAL_HOLIDAY_NAMES) {
    for (const year of years.slice(1)) {
      const n = all.filter((h) => h.name.replace(' (observed)', '') === name &&
        (name === "New Year's Day" && h.date.endsWith('-12-31') ? Number(h.date.slice(0, 4)) + 1 : Number(h.date.slice(0, 4))) === year).length
      if (n !== 1) t.fail(`${name} ${year}: ${n} entries`)
    }
  }
  t.equal(US_FEDERAL_HOLIDAY_NAMES.length, 11)
  t.same(usFederalHolidays([]), [])
})

t.test('usFederalHolidays fixed dates: Thanksgiving 2026, Christmas/New Year 2027', async (t) => {
  const dates = new Set(usFederalHolidays([2026, 2027]).map((h) => h.date))
  t.ok(dates.has('2026-11-26'), 'Thanksgiving 2026 (4th Thursday of November)')
  t.notOk(dates.has('2026-11-27'), 'the day after Thanksgiving is not federal')
  t.ok(dates.has('2027-12-24'))
  t.ok(dates.has('2027-12-31'))
})

t.test('the seeded calendar closes on the observed day', async (t) => {
  const cal = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours-with-holidays'], usFederalHolidays([2026]).map((h) => h.date))
  // Thu 2026-07-02 17:00 PDT + 2 BH: 1 h Thursday, Fri 07-03 observed holiday, weekend, Mon 07-06 06:00–07:00
  t.equal(addBusinessTime(new Date('2026-07-02T17:00:00-07:00'), 7200, cal).toISOString(),
    new Date('2026-07-06T07:00:00-07:00').toISOString())
})

t.test('the US-only holiday source answers exactly like date-holidays for the US, 1990-2099', async (t) => {
  const full = new Holidays('US')
  const usOnly = usHolidaySource()
  for (let year = 1990; year < 2100; year++) {
    if (JSON.stringify(usOnly.getHolidays(year)) !== JSON.stringify(full.getHolidays(year))) t.fail(`differs in ${year}`)
  }
  t.equal(usOnly.getHolidays(2026).length, full.getHolidays(2026).length)
  t.ok(usOnly.getHolidays(2026).length > 11)
})
