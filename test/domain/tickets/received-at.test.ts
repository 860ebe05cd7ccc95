import t from 'tap'
import fc from 'fast-check'
import { assertReceivedAt, openTicket } from '../../../src/domain/tickets/opening.js'
import { SEVERITIES, SUPPORT_PLANS, type PlanId, type Severity } from '../../../src/domain/policy/policy.js'
import { CUSTOMER, calendarFor, org, throwsCode } from './fixtures.js'

/** issue 15: the original contact time (receivedAt) */
const DAY = 86_400_000
const NOW = new Date('2026-03-09T09:00:00-07:00')
const MAX = 30 * 86_400

t.test('assertReceivedAt accepts exactly [now − max age, now] for staff, nothing for customers', async (t) => {
  fc.assert(fc.property(fc.integer({ min: -40 * DAY, max: 40 * DAY }), (offset) => {
    const at = new Date(NOW.getTime() + offset)
    const inRange = offset <= 0 && -offset <= MAX * 1000
    let code: string | undefined
    try { assertReceivedAt(at, NOW, MAX, 'staff') } catch (err) { code = (err as { code: string }).code }
    if (inRange) return code === undefined
    return code === (offset > 0 ? 'received-at-in-future' : 'received-at-too-old')
  }), { numRuns: 500 })
  throwsCode(t, () => assertReceivedAt(new Date(NOW.getTime() - 1000), NOW, MAX, 'customer'), 'field-not-allowed')
  throwsCode(t, () => assertReceivedAt(new Date(NOW.getTime() + 1), NOW, MAX, 'staff'), 'received-at-in-future')
  throwsCode(t, () => assertReceivedAt(new Date(NOW.getTime() - MAX * 1000 - 1), NOW, MAX, 'staff'), 'received-at-too-old')
  assertReceivedAt(NOW, NOW, MAX, 'staff')
  assertReceivedAt(new Date(NOW.getTime() - MAX * 1000), NOW, MAX, 'staff')
})

t.test('a back-dated ticket gets the deadline of a ticket opened at receivedAt; createdAt stays now (every plan × severity)', async (t) => {
  const plans = Object.keys(SUPPORT_PLANS) as PlanId[]
  fc.assert(fc.property(fc.constantFrom(...plans), fc.constantFrom(...(SEVERITIES as readonly Severity[])), fc.integer({ min: 0, max: MAX * 1000 }), (plan, severity, back) => {
    const receivedAt = new Date(NOW.getTime() - back)
    const common = { organization: org(plan), subject: 's', description: 'd', severity, channel: 'portal' as const, requester: { name: 'n', email: 'e@x.example' }, category: null, createdBy: CUSTOMER, calendar: calendarFor(plan, severity) }
    const late = openTicket({ ...common, now: NOW, receivedAt })
    const then = openTicket({ ...common, now: receivedAt })
    return late.sla.clockStartedAt.getTime() === receivedAt.getTime() &&
      late.sla.dueAt.getTime() === then.sla.dueAt.getTime() &&
      late.sla.atRiskAt.getTime() === then.sla.atRiskAt.getTime() &&
      late.receivedAt.getTime() === receivedAt.getTime() &&
      late.createdAt.getTime() === NOW.getTime()
  }), { numRuns: 300 })
  const plain = openTicket({ organization: org('basic'), subject: 's', description: 'd', severity: 'low', channel: 'portal', requester: { name: 'n', email: 'e@x.example' }, category: null, createdBy: CUSTOMER, calendar: calendarFor('basic', 'low'), now: NOW })
  t.equal(plain.receivedAt.getTime(), NOW.getTime(), 'absent: now')
})
