import t from 'tap'
import { isoDuration, slaState, type SlaStateInput } from '../../../src/domain/sla/first-response.js'
import { BUILT_IN_CALENDARS, toBusinessCalendar } from '../../../src/domain/sla/calendars.js'

const H = 3600
const d = (iso: string): Date => new Date(iso)
const BH = toBusinessCalendar(BUILT_IN_CALENDARS['business-hours'])
const ALWAYS = toBusinessCalendar(BUILT_IN_CALENDARS.always)

// Enhanced P2: 6 BH from Fri 2026-01-09 15:00 PST -> Fri 3 h (15–18) + Mon 3 h (06–09) -> due Mon 2026-01-12 09:00
const base: Omit<SlaStateInput, 'now' | 'firstRespondedAt'> = {
  targetSeconds: 6 * H,
  calendar: BH,
  clockStartedAt: d('2026-01-09T15:00:00-08:00'),
  dueAt: d('2026-01-12T09:00:00-08:00')
}

t.test('slaState: unanswered tickets', async (t) => {
  const cases: Array<{ name: string; now: string; status: string; remaining: number }> = [
    // at the start: the whole 6 h is left
    { name: 'at clock start', now: '2026-01-09T15:00:00-08:00', status: 'on_track', remaining: 6 * H },
    // Fri 17:00: 1 h Friday + 3 h Monday = 4 h left (>= 1.5 h = 25 %)
    { name: 'Fri 17:00', now: '2026-01-09T17:00:00-08:00', status: 'on_track', remaining: 4 * H },
    // the weekend does not run the clock down: 3 h left all weekend
    { name: 'Saturday', now: '2026-01-10T12:00:00-08:00', status: 'on_track', remaining: 3 * H },
    // Mon 07:30: 1.5 h left = exactly 25 % -> not yet at risk (less than 25 % is at risk)
    { name: 'exactly 25 % left', now: '2026-01-12T07:30:00-08:00', status: 'on_track', remaining: 1.5 * H },
    { name: 'just under 25 % left', now: '2026-01-12T07:30:00.001-08:00', status: 'at_risk', remaining: 1.5 * H - 0.001 },
    { name: 'Mon 08:30', now: '2026-01-12T08:30:00-08:00', status: 'at_risk', remaining: 0.5 * H },
    // at dueAt exactly nothing is left but the target is not yet missed
    { name: 'at dueAt', now: '2026-01-12T09:00:00-08:00', status: 'at_risk', remaining: 0 },
    { name: '1 ms after dueAt', now: '2026-01-12T09:00:00.001-08:00', status: 'breached', remaining: 0 },
    { name: 'a week later', now: '2026-01-19T09:00:00-08:00', status: 'breached', remaining: 0 },
    // a clock read before the clock started counts from the clock start (never more than the target)
    { name: 'now before clock start', now: '2026-01-09T09:00:00-08:00', status: 'on_track', remaining: 6 * H }
  ]
  for (const c of cases) {
    const s = slaState({ ...base, firstRespondedAt: null, now: d(c.now) })
    t.same(s, { status: c.status, remainingBusinessSeconds: c.remaining }, c.name)
  }
})

t.test('slaState: answered tickets stop the clock', async (t) => {
  const late = d('2026-01-20T10:00:00-08:00')
  t.same(slaState({ ...base, firstRespondedAt: d('2026-01-09T16:00:00-08:00'), now: late }),
    { status: 'met', remainingBusinessSeconds: 0 }, 'answered early, read much later: met')
  t.same(slaState({ ...base, firstRespondedAt: d('2026-01-12T09:00:00-08:00'), now: late }),
    { status: 'met', remainingBusinessSeconds: 0 }, 'answered exactly at dueAt: met')
  t.same(slaState({ ...base, firstRespondedAt: d('2026-01-12T09:00:00.001-08:00'), now: late }),
    { status: 'breached', remainingBusinessSeconds: 0 }, 'answered 1 ms late: breached')
  t.same(slaState({ ...base, firstRespondedAt: d('2026-01-09T16:00:00-08:00'), now: d('2026-01-09T16:00:00-08:00') }),
    { status: 'met', remainingBusinessSeconds: 0 }, 'met even while time is left')
})

t.test('slaState on always: real time runs down', async (t) => {
  // Premier P1: 1 h on always from 2026-01-10T10:00Z (a Saturday) -> due 11:00Z
  const p1 = { targetSeconds: H, calendar: ALWAYS, clockStartedAt: d('2026-01-10T10:00:00Z'), dueAt: d('2026-01-10T11:00:00Z'), firstRespondedAt: null }
  t.same(slaState({ ...p1, now: d('2026-01-10T10:30:00Z') }), { status: 'on_track', remainingBusinessSeconds: 1800 })
  t.same(slaState({ ...p1, now: d('2026-01-10T10:50:00Z') }), { status: 'at_risk', remainingBusinessSeconds: 600 })
  t.same(slaState({ ...p1, now: d('2026-01-10T11:00:01Z') }), { status: 'breached', remainingBusinessSeconds: 0 })
})

t.test('isoDuration keeps hours (business hours are not days)', async (t) => {
  const cases: Array<[number, string]> = [
    [3600, 'PT1H'], [4 * 3600, 'PT4H'], [6 * 3600, 'PT6H'], [86400, 'PT24H'], [1000 * 3600, 'PT1000H'],
    [5400, 'PT1H30M'], [90, 'PT1M30S'], [3661, 'PT1H1M1S'], [0, 'PT0S'], [1.5, 'PT1.5S'], [0.001, 'PT0.001S'], [3600.25, 'PT1H0.25S']
  ]
  for (const [seconds, expected] of cases) t.equal(isoDuration(seconds), expected, `${seconds} s`)
  t.throws(() => isoDuration(-1), RangeError)
  t.throws(() => isoDuration(Number.NaN), RangeError)
})
