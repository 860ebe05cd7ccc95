/**
 * Business calendars and business-time arithmetic (pure; the clock is always an argument).
 *
 * A calendar is an IANA time zone, weekly opening windows in local wall-clock minutes and an optional holiday list.
 * Business time is the real time (milliseconds of the UTC time line) that lies inside opening windows, so:
 * - a window 06:00–18:00 is 12 hours on every day, daylight-saving change days included (the change happens at night);
 * - on a 24/7 calendar one hour is 3600 real seconds, also across a DST change (a 24/7 day in a DST zone is then
 *   23 or 25 hours long, and days flow into each other without a gap, so `deadline − start == target` exactly).
 *
 * Deadline semantics (`addBusinessTime`): the deadline is the earliest instant `t >= start` at which the business time
 * elapsed since `start` equals the target, and that lies in business hours or on a closing edge:
 * - a start outside business hours begins counting at the next opening;
 * - a target used up exactly at closing time ends AT closing time (18:00), not at the next opening;
 * - target 0: `start` itself when `start` is inside a window or exactly on its closing edge, otherwise the next
 *   opening. (Treating the closing edge as "open" here keeps `add(add(s, a), 0) == add(s, a)`.)
 *
 * Time-zone conversions are done only by luxon, once per (calendar, local date): the day's windows are turned into
 * UTC epoch-millisecond intervals and cached, keyed on the calendar object (WeakMap). The walk itself is number work
 * over those cached days, so its cost grows with the number of days spanned, never with minutes.
 *
 * Calendars are treated as immutable values: to change holidays or windows build a new calendar object (a new
 * `holidays` set). As a safety net the cache is also dropped when the calendar's fields or the holiday set's size
 * change, but in-place replacement of one holiday by another in the same Set object is not detected.
 *
 * Refusals are `RangeError`s (invalid dates, negative or non-finite targets, invalid calendars, a calendar that never
 * opens): they are programming/config errors, not user-facing domain refusals.
 */
import { DateTime } from 'luxon'

export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7

export interface WeeklyWindow {
  /** ISO weekday, Monday = 1 … Sunday = 7 */
  weekday: IsoWeekday
  /** local wall-clock minute of the day the window opens, 0..1439 */
  startMinute: number
  /** local wall-clock minute of the day the window closes (exclusive), 1..1440; 1440 = the following midnight */
  endMinute: number
}

export interface BusinessCalendar {
  id: string
  /** IANA time zone, e.g. 'America/Los_Angeles' */
  timeZone: string
  windows: readonly WeeklyWindow[]
  /** when false the holiday list is ignored (the calendar is open on holidays) */
  observesHolidays: boolean
  /** local dates 'YYYY-MM-DD' on which the calendar is closed all day (when `observesHolidays`) */
  holidays: ReadonlySet<string>
}

export interface TimeSegment { start: Date; end: Date }

const DAY_MS = 86_400_000
/** how many cached days a calendar may hold before its cache is dropped (≈ 110 years) */
const MAX_CACHED_DAYS = 40_000
/** a walk that meets this many consecutive days without any opening gives up (the calendar never opens) */
const MAX_CLOSED_DAYS = 3_700
const EMPTY: Float64Array = new Float64Array(0)

interface CalendarCache {
  timeZone: string
  windows: readonly WeeklyWindow[]
  windowCount: number
  observesHolidays: boolean
  holidays: ReadonlySet<string>
  holidaysSize: number
  /** merged [startMinute, endMinute] pairs per ISO weekday (index 1..7) */
  minuteRanges: number[][]
  /** local epoch day (days since 1970-01-01 in the calendar's own dates) -> [s0, e0, s1, e1, …] UTC epoch ms */
  days: Map<number, Float64Array>
}

const caches = new WeakMap<BusinessCalendar, CalendarCache>()

/** Throws a RangeError unless the calendar is well formed (valid zone, windows inside 0..1440, at least one window). */
export function assertValidCalendar (cal: BusinessCalendar): void {
  if (!DateTime.local({ zone: cal.timeZone }).isValid) {
    throw new RangeError(`calendar ${cal.id}: unknown time zone ${cal.timeZone}`)
  }
  if (cal.windows.length === 0) throw new RangeError(`calendar ${cal.id}: has no opening windows`)
  for (const w of cal.windows) {
    if (!Number.isInteger(w.weekday) || w.weekday < 1 || w.weekday > 7) {
      throw new RangeError(`calendar ${cal.id}: weekday ${w.weekday} is not an ISO weekday 1..7`)
    }
    if (!Number.isInteger(w.startMinute) || !Number.isInteger(w.endMinute) ||
      w.startMinute < 0 || w.endMinute > 1440 || w.startMinute >= w.endMinute) {
      throw new RangeError(`calendar ${cal.id}: window ${w.startMinute}..${w.endMinute} must satisfy 0 <= start < end <= 1440`)
    }
  }
}

function buildCache (cal: BusinessCalendar): CalendarCache {
  assertValidCalendar(cal)
  const minuteRanges: number[][] = [[], [], [], [], [], [], [], []]
  for (let wd = 1; wd <= 7; wd++) {
    const ws = cal.windows.filter((w) => w.weekday === wd).sort((x, y) => x.startMinute - y.startMinute)
    const merged: number[] = []
    for (const w of ws) {
      const n = merged.length
      if (n > 0 && w.startMinute <= merged[n - 1]!) {
        merged[n - 1] = Math.max(merged[n - 1]!, w.endMinute)
      } else {
        merged.push(w.startMinute, w.endMinute)
      }
    }
    minuteRanges[wd] = merged
  }
  return {
    timeZone: cal.timeZone,
    windows: cal.windows,
    windowCount: cal.windows.length,
    observesHolidays: cal.observesHolidays,
    holidays: cal.holidays,
    holidaysSize: cal.holidays.size,
    minuteRanges,
    days: new Map()
  }
}

function cacheFor (cal: BusinessCalendar): CalendarCache {
  let c = caches.get(cal)
  if (c === undefined || c.timeZone !== cal.timeZone || c.windows !== cal.windows || c.windowCount !== cal.windows.length ||
    c.observesHolidays !== cal.observesHolidays || c.holidays !== cal.holidays || c.holidaysSize !== cal.holidays.size) {
    c = buildCache(cal)
    caches.set(cal, c)
  }
  return c
}

/** civil (proleptic Gregorian) date of a local epoch day; plain date arithmetic, no time zone involved */
function civilDate (epochDay: number): { year: number; month: number; day: number; weekday: IsoWeekday; key: string } {
  const d = new Date(epochDay * DAY_MS)
  const year = d.getUTCFullYear()
  const month = d.getUTCMonth() + 1
  const day = d.getUTCDate()
  const weekday = (((d.getUTCDay() + 6) % 7) + 1) as IsoWeekday
  const key = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
  return { year, month, day, weekday, key }
}

/** UTC epoch ms of a local wall-clock minute of a local epoch day (minute 1440 = the next day's midnight), by luxon */
function localMinuteToUtc (epochDay: number, minute: number, zone: string): number {
  if (minute === 1440) return localMinuteToUtc(epochDay + 1, 0, zone)
  const { year, month, day } = civilDate(epochDay)
  const dt = DateTime.fromObject({ year, month, day, hour: Math.floor(minute / 60), minute: minute % 60 }, { zone })
  const ms = dt.toMillis()
  if (!Number.isFinite(ms)) throw new RangeError(`cannot place ${year}-${month}-${day} ${minute}min in zone ${zone}`)
  return ms
}

function computeDay (c: CalendarCache, epochDay: number): Float64Array {
  const { weekday, key } = civilDate(epochDay)
  const ranges = c.minuteRanges[weekday]!
  if (ranges.length === 0 || (c.observesHolidays && c.holidays.has(key))) return EMPTY
  const out: number[] = []
  for (let i = 0; i < ranges.length; i += 2) {
    const s = localMinuteToUtc(epochDay, ranges[i]!, c.timeZone)
    const e = localMinuteToUtc(epochDay, ranges[i + 1]!, c.timeZone)
    if (e <= s) continue // a window that falls entirely into a DST gap does not exist that day
    const n = out.length
    if (n > 0 && s <= out[n - 1]!) {
      out[n - 1] = Math.max(out[n - 1]!, e)
    } else {
      out.push(s, e)
    }
  }
  return out.length === 0 ? EMPTY : Float64Array.from(out)
}

/** the day's opening intervals as UTC epoch ms [s0, e0, s1, e1, …], sorted, disjoint, half-open [s, e) */
function dayIntervals (c: CalendarCache, epochDay: number): Float64Array {
  let iv = c.days.get(epochDay)
  if (iv === undefined) {
    iv = computeDay(c, epochDay)
    if (c.days.size >= MAX_CACHED_DAYS) c.days.clear()
    c.days.set(epochDay, iv)
  }
  return iv
}

/**
 * The first local day whose windows may contain or follow instant t. UTC offsets lie within ±1 day, so the local
 * date of t is the UTC date of t or a neighbour; starting one day early and skipping intervals that ended before t
 * is exact without knowing the offset.
 */
const firstDayFor = (t: number): number => Math.floor(t / DAY_MS) - 1

function instant (d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : NaN
  if (!Number.isFinite(t)) throw new RangeError(`${what} is not a valid Date`)
  return t
}

function targetMs (seconds: number): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`target must be a finite number of seconds >= 0, got ${String(seconds)}`)
  }
  return Math.round(seconds * 1000)
}

function neverOpens (cal: BusinessCalendar): RangeError {
  return new RangeError(`calendar ${cal.id} has no opening in ${MAX_CLOSED_DAYS} consecutive days`)
}

/**
 * Walks the counted segments from `start` for `ms` business milliseconds; calls `onSegment(from, to)` for each
 * non-empty counted piece (per day window, not merged) and returns the deadline in epoch ms.
 */
function walk (cal: BusinessCalendar, t0: number, ms: number, onSegment?: (from: number, to: number) => void): number {
  const c = cacheFor(cal)
  let remaining = ms
  let closedDays = 0
  for (let day = firstDayFor(t0); ; day++) {
    const iv = dayIntervals(c, day)
    if (iv.length === 0) {
      if (++closedDays > MAX_CLOSED_DAYS) throw neverOpens(cal)
      continue
    }
    closedDays = 0
    for (let i = 0; i < iv.length; i += 2) {
      const e = iv[i + 1]!
      if (e < t0) continue
      const s = iv[i]!
      const from = s > t0 ? s : t0
      if (remaining === 0) return from // target 0: t0 when inside [s, e] (closing edge included), else next opening
      const avail = e - from
      if (remaining <= avail) {
        if (onSegment !== undefined) onSegment(from, from + remaining)
        return from + remaining
      }
      if (avail > 0 && onSegment !== undefined) onSegment(from, e)
      remaining -= avail
    }
  }
}

/**
 * The deadline: the earliest instant at which the business time elapsed since `start` equals `seconds`
 * (millisecond precision; see the module comment for the exact rules, including target 0).
 */
export function addBusinessTime (start: Date, seconds: number, cal: BusinessCalendar): Date {
  return new Date(walk(cal, instant(start, 'start'), targetMs(seconds)))
}

/** Business seconds in [a, b) (fractional at millisecond precision); 0 when b <= a. */
export function businessTimeBetween (a: Date, b: Date, cal: BusinessCalendar): number {
  const ta = instant(a, 'a')
  const tb = instant(b, 'b')
  if (tb <= ta) return 0
  const c = cacheFor(cal)
  let total = 0
  const lastDay = Math.floor(tb / DAY_MS) + 1
  for (let day = firstDayFor(ta); day <= lastDay; day++) {
    const iv = dayIntervals(c, day)
    for (let i = 0; i < iv.length; i += 2) {
      const s = iv[i]!
      if (s >= tb) return total / 1000
      const e = iv[i + 1]!
      const lo = s > ta ? s : ta
      const hi = e < tb ? e : tb
      if (hi > lo) total += hi - lo
    }
  }
  return total / 1000
}

/**
 * The segments of business time counted from `start` up to the deadline `addBusinessTime(start, seconds, cal)`, in
 * order; touching segments (e.g. 24/7 days meeting at midnight) are merged. Their durations sum to `seconds`, the
 * last one ends at the deadline. Target 0 gives [] (nothing is counted).
 */
export function businessSegments (start: Date, seconds: number, cal: BusinessCalendar): TimeSegment[] {
  const pairs: number[] = []
  walk(cal, instant(start, 'start'), targetMs(seconds), (from, to) => {
    const n = pairs.length
    if (n > 0 && pairs[n - 1] === from) pairs[n - 1] = to
    else pairs.push(from, to)
  })
  const out: TimeSegment[] = []
  for (let i = 0; i < pairs.length; i += 2) out.push({ start: new Date(pairs[i]!), end: new Date(pairs[i + 1]!) })
  return out
}

/**
 * True when every instant of [start, end) is business time without interruption, i.e. the interval lies inside one
 * continuous opening (windows that touch, such as 24/7 days at midnight, count as one). Ending exactly at closing
 * time is inside. An empty or reversed interval (end <= start) is false.
 */
export function isOpenDuring (start: Date, end: Date, cal: BusinessCalendar): boolean {
  const ta = instant(start, 'start')
  const tb = instant(end, 'end')
  if (tb <= ta) return false
  const c = cacheFor(cal)
  let reach = -Infinity // end of the continuous opening that contains ta, once found
  const lastDay = Math.floor(tb / DAY_MS) + 1
  for (let day = firstDayFor(ta); day <= lastDay; day++) {
    const iv = dayIntervals(c, day)
    for (let i = 0; i < iv.length; i += 2) {
      const s = iv[i]!
      const e = iv[i + 1]!
      if (reach === -Infinity) {
        if (e <= ta) continue
        if (s > ta) return false
        reach = e
      } else {
        if (s > reach) return false
        if (e > reach) reach = e
      }
      if (tb <= reach) return true
    }
    if (reach !== -Infinity && iv.length === 0) return false // a closed day breaks the opening
  }
  return false
}

/** True when `at` lies inside an opening window ([open, close): closing time itself is closed). */
export function isOpenAt (at: Date, cal: BusinessCalendar): boolean {
  const t = instant(at, 'at')
  const c = cacheFor(cal)
  for (let day = firstDayFor(t); day <= firstDayFor(t) + 2; day++) {
    const iv = dayIntervals(c, day)
    for (let i = 0; i < iv.length; i += 2) {
      if (iv[i]! <= t && t < iv[i + 1]!) return true
    }
  }
  return false
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * The opening windows of one local date 'YYYY-MM-DD' as UTC instants (holidays applied: a holiday or a closed weekday
 * gives []). For error messages such as "open on 2026-07-06 from … to …".
 */
export function windowsOnLocalDate (date: string, cal: BusinessCalendar): TimeSegment[] {
  const m = LOCAL_DATE.exec(date)
  const epochDay = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS
  if (!Number.isInteger(epochDay) || civilDate(epochDay).key !== date) {
    throw new RangeError(`${date} is not a local date YYYY-MM-DD`)
  }
  const iv = dayIntervals(cacheFor(cal), epochDay)
  const out: TimeSegment[] = []
  for (let i = 0; i < iv.length; i += 2) out.push({ start: new Date(iv[i]!), end: new Date(iv[i + 1]!) })
  return out
}

/** An instant as ISO 8601 local time with offset in the given zone (luxon), e.g. '2026-01-12T06:30:00.000-08:00'. */
export function localIso (at: Date, timeZone: string): string {
  const iso = DateTime.fromMillis(instant(at, 'at'), { zone: timeZone }).toISO()
  if (iso === null) throw new RangeError(`unknown time zone ${timeZone}`)
  return iso
}
