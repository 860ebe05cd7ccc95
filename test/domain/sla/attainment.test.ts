import t from 'tap'
import fc from 'fast-check'
import { cycleOutcome, monthOf, nearestRank, type CycleRecord } from '../../../src/domain/sla/attainment.js'

t.test('nearest rank: an observed value with at least p of the values at or below it and fewer than p strictly below', async (t) => {
  t.equal(nearestRank([], 0.5), null)
  t.equal(nearestRank([7], 0.9), 7)
  t.equal(nearestRank([1, 2, 3, 4], 0.5), 2)
  t.equal(nearestRank([1, 2, 3, 4, 5, 6, 7], 0.9), 7)
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (values, p) => {
    const sorted = [...values].sort((a, b) => a - b)
    const v = nearestRank(sorted, p) as number
    const atOrBelow = sorted.filter((x) => x <= v).length
    const below = sorted.filter((x) => x < v).length
    return sorted.includes(v) && atOrBelow >= p * sorted.length - 1e-9 && below < p * sorted.length
  }))
})

t.test('outcome: stored result of finished cycles; met / breached / owed for the current one', async (t) => {
  const base: CycleRecord = {
    ticketId: 't', organizationId: 'o', organizationName: 'O', cycle: 1, plan: 'premier', priority: 'P1', calendarId: 'always',
    clockStartedAt: new Date('2026-01-01T10:00:00Z'), dueAt: new Date('2026-01-01T11:00:00Z'), firstRespondedAt: null, storedStatus: null
  }
  const now = new Date('2026-01-01T10:30:00Z')
  t.equal(cycleOutcome(base, now), 'owed')
  t.equal(cycleOutcome(base, new Date('2026-01-01T11:00:00Z')), 'owed', 'at the deadline itself nothing is decided yet')
  t.equal(cycleOutcome(base, new Date('2026-01-01T11:00:00.001Z')), 'breached')
  t.equal(cycleOutcome({ ...base, firstRespondedAt: new Date('2026-01-01T11:00:00Z') }, now), 'met', 'a response at the deadline is met')
  t.equal(cycleOutcome({ ...base, firstRespondedAt: new Date('2026-01-01T11:00:01Z') }, now), 'breached')
  t.equal(cycleOutcome({ ...base, storedStatus: 'breached', firstRespondedAt: new Date('2026-01-01T10:01:00Z') }, now), 'breached', 'a finished cycle keeps its stored result')
})

t.test('months are PT months', async (t) => {
  t.equal(monthOf(new Date('2026-02-01T07:30:00Z')), '2026-01', '23:30 PST on 31 January')
  t.equal(monthOf(new Date('2026-02-01T08:00:00Z')), '2026-02', '00:00 PST on 1 February')
  t.equal(monthOf(new Date('2026-04-01T06:59:59Z')), '2026-03', '23:59:59 PDT on 31 March')
})
