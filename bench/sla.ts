/**
 * `npm run bench:sla`: first-response deadlines per second for 24-business-hour targets from random starts over three
 * years on `business-hours-with-holidays` (US federal holidays), single process, one thread.
 * Prints every round and the median. Options: --starts N (default 200000), --rounds R (default 7).
 */
import { addBusinessTime } from '../src/domain/sla/calendar.js'
import { BUILT_IN_CALENDARS, toBusinessCalendar, usFederalHolidays } from '../src/domain/sla/calendars.js'

function arg (name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt
}

const N = arg('starts', 200_000)
const ROUNDS = arg('rounds', 7)
const TARGET_SECONDS = 24 * 3600

const holidays = usFederalHolidays([2025, 2026, 2027, 2028, 2029, 2030]).map((h) => h.date)
const calendar = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours-with-holidays'], holidays)

// deterministic starts (mulberry32), uniform over 2026-01-01 .. 2029-01-01 at millisecond precision
let seed = 0x5eed
function rand (): number {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const from = Date.UTC(2026, 0, 1)
const to = Date.UTC(2029, 0, 1)
const starts: Date[] = Array.from({ length: N }, () => new Date(from + Math.floor(rand() * (to - from))))

function round (): { perSecond: number; checksum: number } {
  let checksum = 0
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < N; i++) checksum += addBusinessTime(starts[i]!, TARGET_SECONDS, calendar).getTime() % 1000
  const ns = Number(process.hrtime.bigint() - t0)
  return { perSecond: N / (ns / 1e9), checksum }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')

console.log(`SLA deadline benchmark: ${fmt(N)} random starts 2026-01-01..2029-01-01, target 24 business hours, ` +
  `calendar business-hours-with-holidays (${holidays.length} holidays), node ${process.version}`)
const cold = round()
console.log(`  round 0 (cold day cache, includes luxon conversions): ${fmt(cold.perSecond)} deadlines/s`)
const rates: number[] = []
for (let r = 1; r <= ROUNDS; r++) {
  const { perSecond } = round()
  rates.push(perSecond)
  console.log(`  round ${r}: ${fmt(perSecond)} deadlines/s`)
}
rates.sort((a, b) => a - b)
const median = rates[Math.floor(rates.length / 2)]!
console.log(`median: ${fmt(median)} deadlines/s (target >= 200,000)`)
