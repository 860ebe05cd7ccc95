// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the package ships ambient types that its exports map does not expose
/// <reference path="../../../node_modules/date-holidays-parser/types/index.d.ts" />
/**
 * The three built-in calendars of the support terms, as data, and the US federal holidays used to seed the holiday
 * list of `business-hours-with-holidays`.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import HolidaysParser from 'date-holidays-parser'
import type { CalendarId } from '../policy/policy.js'
import type { BusinessCalendar, WeeklyWindow } from './calendar.js'

/** A calendar without its holiday list (holidays live in the database and are managed by admins). */
export interface CalendarDefinition {
  id: CalendarId
  name: string
  timeZone: string
  windows: readonly WeeklyWindow[]
  observesHolidays: boolean
  /** whether the US federal holidays are seeded into this calendar's holiday list */
  seedsUsFederalHolidays: boolean
}

const SIX_AM = 6 * 60
const SIX_PM = 18 * 60

const MON_TO_FRI_6_TO_18: readonly WeeklyWindow[] = Object.freeze(
  ([1, 2, 3, 4, 5] as const).map((weekday) => Object.freeze({ weekday, startMinute: SIX_AM, endMinute: SIX_PM }))
)

const EVERY_DAY_ALL_DAY: readonly WeeklyWindow[] = Object.freeze(
  ([1, 2, 3, 4, 5, 6, 7] as const).map((weekday) => Object.freeze({ weekday, startMinute: 0, endMinute: 1440 }))
)

export const BUILT_IN_CALENDARS: Readonly<Record<CalendarId, CalendarDefinition>> = Object.freeze({
  'business-hours-with-holidays': {
    id: 'business-hours-with-holidays',
    name: 'Business Hours – M-F 6am-6pm PT, excluding holidays',
    timeZone: 'America/Los_Angeles',
    windows: MON_TO_FRI_6_TO_18,
    observesHolidays: true,
    seedsUsFederalHolidays: true
  },
  'business-hours': {
    id: 'business-hours',
    name: 'Business Hours – M-F 6am-6pm PT',
    timeZone: 'America/Los_Angeles',
    windows: MON_TO_FRI_6_TO_18,
    observesHolidays: false,
    seedsUsFederalHolidays: false
  },
  always: {
    id: 'always',
    name: '24/7/365',
    timeZone: 'UTC',
    windows: EVERY_DAY_ALL_DAY,
    observesHolidays: false,
    seedsUsFederalHolidays: false
  }
})

/**
 * A BusinessCalendar from a definition (or a calendar row of the same shape) and its holiday dates. Build a new one
 * whenever the holidays change: the engine caches days per calendar object.
 */
export function toBusinessCalendar (
  def: Pick<CalendarDefinition, 'timeZone' | 'windows' | 'observesHolidays'> & { id: string },
  holidays: Iterable<string> = []
): BusinessCalendar {
  return {
    id: def.id,
    timeZone: def.timeZone,
    windows: def.windows,
    observesHolidays: def.observesHolidays,
    holidays: new Set(holidays)
  }
}

export interface NamedHoliday { date: string; name: string }

/**
 * The 11 nationwide US federal holidays (5 U.S.C. 6103): New Year's Day, Martin Luther King Jr. Day, Washington's
 * Birthday, Memorial Day, Juneteenth, Independence Day, Labor Day, Columbus Day, Veterans Day, Thanksgiving Day,
 * Christmas Day. Inauguration Day (a holiday only around Washington DC, every 4 years) is not included.
 */
export const US_FEDERAL_HOLIDAY_NAMES: readonly string[] = Object.freeze([
  "New Year's Day",
  'Martin Luther King Jr. Day',
  "Washington's Birthday",
  'Memorial Day',
  'Juneteenth',
  'Independence Day',
  'Labor Day',
  'Columbus Day',
  'Veterans Day',
  'Thanksgiving Day',
  'Christmas Day'
])

const SUBSTITUTE_SUFFIX = ' (substitute day)'

let usSource: HolidaysParser | undefined

/**
 * date-holidays' rules for the US only. `import Holidays from 'date-holidays'` would keep every country's rules in the
 * serving process for good (8.7 MB of heap, ~27 MB of RSS, issue 7); its own parser (date-holidays-parser, what
 * date-holidays wraps) is given the US part of the same data file, and the rest is garbage as soon as it is read.
 * Same answers as `new Holidays('US')` (checked for 1990–2099 when this was written; test/domain/sla/calendars.test.ts).
 */
export function usHolidaySource (): HolidaysParser {
  if (usSource !== undefined) return usSource
  const require = createRequire(import.meta.url)
  const file = join(dirname(require.resolve('date-holidays/package.json')), 'data', 'holidays.json')
  const all = JSON.parse(readFileSync(file, 'utf8')) as { version: string, license: string, holidays: Record<string, unknown>, names: unknown }
  usSource = new HolidaysParser({ version: all.version, license: all.license, holidays: { US: all.holidays.US }, names: all.names }, 'US')
  return usSource
}

const isWeekend = (date: string): boolean => {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay()
  return d === 0 || d === 6
}

/**
 * US federal holidays on their OBSERVED dates for the given years (by the observed date's year), from date-holidays:
 * a holiday on a Saturday is observed the Friday before, on a Sunday the Monday after. The weekend date itself is not
 * listed (only the day off is). So New Year's Day 2028 (a Saturday) is observed on 2027-12-31, which is listed under
 * 2027. Sorted by date; names of observed days get " (observed)".
 *
 * date-holidays lists, for 'US', the actual date (type public) plus a "(substitute day)" entry (type public, or
 * `bank` for Veterans Day) and many non-federal observances (Valentine's Day, Day after Thanksgiving, Christmas Eve
 * as `optional`, …); this keeps only the 11 federal holidays by name, whatever their type.
 */
export function usFederalHolidays (years: readonly number[]): NamedHoliday[] {
  const wanted = new Set(years)
  const federal = new Set(US_FEDERAL_HOLIDAY_NAMES)
  const hd = usHolidaySource()
  const byDate = new Map<string, string>()
  // an observed date can fall into the neighbouring year (New Year's Day on a Saturday -> Dec 31 of the year before)
  const libraryYears = new Set<number>()
  for (const y of wanted) { libraryYears.add(y - 1); libraryYears.add(y); libraryYears.add(y + 1) }
  for (const y of libraryYears) {
    const list = hd.getHolidays(y)
    for (const h of list) {
      const date = h.date.slice(0, 10)
      const substitute = h.substitute === true || h.name.endsWith(SUBSTITUTE_SUFFIX)
      const base = h.name.endsWith(SUBSTITUTE_SUFFIX) ? h.name.slice(0, -SUBSTITUTE_SUFFIX.length) : h.name
      if (!federal.has(base)) continue
      if (!wanted.has(Number(date.slice(0, 4)))) continue
      if (!substitute && isWeekend(date)) continue // observed on the substitute day instead
      byDate.set(date, substitute ? `${base} (observed)` : base)
    }
  }
  return [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, name]) => ({ date, name }))
}
