import t from 'tap'
import fc from 'fast-check'
import { PLAN_IDS, SEVERITIES, TICKET_POLICY } from '../../../src/domain/policy/policy.js'
import { businessTimeBetween } from '../../../src/domain/sla/calendar.js'
import { computeAtRiskAt, closeCycle, recordFirstResponse, slaPhase, slaView, startSlaCycle, storedSlaStatus } from '../../../src/domain/tickets/sla.js'
import { CALENDARS, calendarFor } from './fixtures.js'

const d = (s: string): Date => new Date(s)

t.test('a cycle from the plan × severity target; the at-risk instant is exact to the millisecond', async (t) => {
  // Enhanced P2: 6 BH from Fri 2026-01-09 15:00 PST → Mon 09:00; at risk when less than 1.5 h is left → after Mon 07:30
  const c = startSlaCycle({ cycle: 1, plan: 'enhanced', severity: 'high', at: d('2026-01-09T15:00:00-08:00'), calendar: CALENDARS['business-hours'] })
  t.equal(c.priority, 'P2')
  t.equal(c.targetSeconds, 6 * 3600)
  t.equal(c.calendarId, 'business-hours')
  t.equal(c.dueAt.toISOString(), d('2026-01-12T09:00:00-08:00').toISOString())
  t.equal(c.atRiskAt.toISOString(), d('2026-01-12T07:30:00.001-08:00').toISOString())
  t.equal(slaView(c, CALENDARS['business-hours'], d('2026-01-12T07:30:00-08:00')).status, 'on_track')
  t.equal(slaView(c, CALENDARS['business-hours'], d('2026-01-12T07:30:00.001-08:00')).status, 'at_risk')
  t.equal(storedSlaStatus(c, d('2026-01-12T07:30:00-08:00')), 'on_track')
  t.equal(storedSlaStatus(c, d('2026-01-12T07:30:00.001-08:00')), 'at_risk')
  t.equal(storedSlaStatus(c, d('2026-01-12T09:00:00-08:00')), 'at_risk', 'at dueAt: not yet breached')
  t.equal(storedSlaStatus(c, d('2026-01-12T09:00:00.001-08:00')), 'breached')
  const view = slaView(c, CALENDARS['business-hours'], d('2026-01-10T12:00:00-08:00'))
  t.same({ status: view.status, remaining: view.remainingBusinessSeconds, duration: view.targetDuration }, { status: 'on_track', remaining: 3 * 3600, duration: 'PT6H' })
})

t.test('the at-risk edge on a closing time stays on track through the night', async (t) => {
  // Enhanced P3 24 BH from Mon 2026-01-05 06:00 → Wed 06:00 + 0 → due Tue 18:00 (2 × 12 h)
  const c = startSlaCycle({ cycle: 1, plan: 'enhanced', severity: 'low', at: d('2026-01-05T06:00:00-08:00'), calendar: CALENDARS['business-hours'] })
  t.equal(c.dueAt.toISOString(), d('2026-01-06T18:00:00-08:00').toISOString())
  // 25 % = 6 h left at Tue 12:00 exactly: at risk only after that
  t.equal(c.atRiskAt.toISOString(), d('2026-01-06T12:00:00.001-08:00').toISOString())
})

t.test('first response, phase and the closed cycle', async (t) => {
  const c = startSlaCycle({ cycle: 1, plan: 'premier', severity: 'urgent', at: d('2026-01-09T17:00:00-08:00'), calendar: CALENDARS.always })
  t.equal(c.dueAt.toISOString(), d('2026-01-09T18:00:00-08:00').toISOString(), 'Premier P1: 1 hour on 24/7')
  t.equal(slaPhase(c), 'pending')
  const met = recordFirstResponse(c, d('2026-01-09T18:00:00-08:00'))
  t.equal(slaPhase(met), 'met', 'a response exactly at dueAt is met')
  t.same(recordFirstResponse(met, d('2026-01-09T19:00:00-08:00')).firstRespondedAt, met.firstRespondedAt, 'the first instant stays')
  const late = recordFirstResponse(c, d('2026-01-09T18:00:00.001-08:00'))
  t.equal(slaPhase(late), 'breached')
  t.equal(slaView(late, CALENDARS.always, d('2026-01-10T00:00:00Z')).status, 'breached')
  t.equal(closeCycle(late, d('2026-01-20T00:00:00Z')).status, 'breached')
  t.equal(closeCycle(met, d('2026-01-20T00:00:00Z')).status, 'met')
})

t.test('property: the stored status (phase, dueAt, atRiskAt) equals the engine\'s status at every later instant', async (t) => {
  const FROM = Date.UTC(2025, 11, 1)
  const TO = Date.UTC(2027, 1, 1)
  fc.assert(fc.property(
    fc.constantFrom(...PLAN_IDS), fc.constantFrom(...SEVERITIES),
    fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms - (ms % 60_000))),
    fc.oneof(fc.integer({ min: 0, max: 6 * 86_400_000 }), fc.integer({ min: 0, max: 3_600_000 })),
    fc.integer({ min: -2, max: 2 }),
    (plan, severity, at, delay, jitter) => {
      const cal = calendarFor(plan, severity)
      const c = startSlaCycle({ cycle: 1, plan, severity, at, calendar: cal })
      // probe around the at-risk instant and the deadline too
      for (const now of [new Date(at.getTime() + delay), new Date(c.atRiskAt.getTime() + jitter), new Date(c.dueAt.getTime() + jitter)]) {
        if (now < at) continue
        const view = slaView(c, cal, now)
        if (storedSlaStatus(c, now) !== view.status) throw new Error(`${storedSlaStatus(c, now)} != ${view.status} at ${now.toISOString()}`)
      }
      // the at-risk instant is the first with less than the fraction left
      const left = businessTimeBetween(c.atRiskAt, c.dueAt, cal)
      if (!(left < c.targetSeconds * TICKET_POLICY.atRiskFraction)) throw new Error('not at risk at atRiskAt')
    }
  ), { numRuns: 3000 })
  t.pass('3000 runs')
  t.equal(computeAtRiskAt(d('2026-01-12T08:59:00-08:00'), d('2026-01-12T09:00:00-08:00'), 3600, CALENDARS['business-hours']).toISOString(), d('2026-01-12T08:59:00-08:00').toISOString(), 'less than the fraction left already: at risk from the start')
})
