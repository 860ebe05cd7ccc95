import t from 'tap'
import fc from 'fast-check'
import type { DomainError } from '../../../src/domain/errors.js'
import {
  assertCreditLeft,
  CALL_STATUSES,
  countCallsInTerm,
  entitlement,
  inTerm,
  type CallStatus,
  type CountedCall
} from '../../../src/domain/onboarding/entitlement.js'
import { PLAN_IDS, SUPPORT_PLANS } from '../../../src/domain/policy/policy.js'

const term = { termStart: new Date('2026-01-01T00:00:00Z'), termEnd: new Date('2027-01-01T00:00:00Z') }
const call = (status: CallStatus, at: string): CountedCall => ({ status, scheduledAt: new Date(at) })

t.test('entitlement per plan comes from the policy data (Basic 0, Enhanced 2, Premier 5)', async (t) => {
  const none = { scheduled: 0, completed: 0, noShow: 0 }
  t.equal(entitlement('basic', term, none).entitled, 0)
  t.equal(entitlement('enhanced', term, none).entitled, 2)
  t.equal(entitlement('premier', term, none).entitled, 5)
  for (const plan of PLAN_IDS) t.equal(entitlement(plan, term, none).entitled, SUPPORT_PLANS[plan].onboardingCalls)
})

t.test('used = completed + no_show; remaining = entitled − scheduled − used, never below 0', async (t) => {
  t.match(entitlement('premier', term, { scheduled: 1, completed: 1, noShow: 1 }), { entitled: 5, scheduled: 1, used: 2, remaining: 2 })
  t.match(entitlement('enhanced', term, { scheduled: 1, completed: 1, noShow: 0 }), { used: 1, remaining: 0 })
  // downgrade below what is used: 0, not negative; nothing else changes
  t.match(entitlement('enhanced', term, { scheduled: 2, completed: 3, noShow: 0 }), { entitled: 2, scheduled: 2, used: 3, remaining: 0 })
  t.match(entitlement('basic', term, { scheduled: 1, completed: 0, noShow: 0 }), { entitled: 0, remaining: 0 })
})

t.test('upgrade mid-term raises entitled at once, what was used stays used', async (t) => {
  const counts = { scheduled: 1, completed: 1, noShow: 0 }
  const before = entitlement('enhanced', term, counts)
  const after = entitlement('premier', term, counts)
  t.match(before, { entitled: 2, used: 1, remaining: 0 })
  t.match(after, { entitled: 5, used: 1, scheduled: 1, remaining: 3 })
})

t.test('calls count in the term [termStart, termEnd) by scheduledAt; canceled count for nothing', async (t) => {
  const calls = [
    call('scheduled', '2026-01-01T00:00:00Z'), // at termStart: in
    call('completed', '2026-06-01T17:00:00Z'),
    call('no_show', '2026-06-02T17:00:00Z'),
    call('canceled', '2026-06-03T17:00:00Z'),
    call('completed', '2025-12-31T23:59:59.999Z'), // previous term
    call('scheduled', '2027-01-01T00:00:00Z') // at termEnd: next term
  ]
  t.same(countCallsInTerm(calls, term), { scheduled: 1, completed: 1, noShow: 1 })
  t.equal(inTerm(term.termStart, term), true)
  t.equal(inTerm(term.termEnd, term), false)
  // a new term starts fresh
  const next = { termStart: term.termEnd, termEnd: new Date('2028-01-01T00:00:00Z') }
  t.same(countCallsInTerm(calls, next), { scheduled: 1, completed: 0, noShow: 0 })
})

t.test('no credit left → onboarding-entitlement-exhausted with the counts', async (t) => {
  t.doesNotThrow(() => assertCreditLeft(entitlement('enhanced', term, { scheduled: 1, completed: 0, noShow: 0 })))
  const err = t.throws(() => assertCreditLeft(entitlement('enhanced', term, { scheduled: 1, completed: 1, noShow: 0 }))) as DomainError
  t.equal(err.code, 'onboarding-entitlement-exhausted')
  t.equal(err.status, 409)
  t.match(err.extras, { entitled: 2, scheduled: 1, used: 1, remaining: 0, plan: 'enhanced' })
  const basic = t.throws(() => assertCreditLeft(entitlement('basic', term, { scheduled: 0, completed: 0, noShow: 0 }))) as DomainError
  t.match(basic.message, /Basic plan includes no onboarding calls/)
})

t.test('counts must be non-negative integers', async (t) => {
  t.throws(() => entitlement('premier', term, { scheduled: -1, completed: 0, noShow: 0 }), RangeError)
  t.throws(() => entitlement('premier', term, { scheduled: 0.5, completed: 0, noShow: 0 }), RangeError)
})

t.test('properties (fast-check)', async (t) => {
  const arbCall = fc.record({
    status: fc.constantFrom(...CALL_STATUSES),
    scheduledAt: fc.date({ min: new Date('2025-06-01T00:00:00Z'), max: new Date('2027-06-01T00:00:00Z'), noInvalidDate: true })
  })
  fc.assert(fc.property(fc.constantFrom(...PLAN_IDS), fc.array(arbCall, { maxLength: 30 }), (plan, calls) => {
    const e = entitlement(plan, term, countCallsInTerm(calls, term))
    const inside = calls.filter((c) => inTerm(c.scheduledAt, term))
    // remaining is never negative and never more than the entitlement
    if (e.remaining < 0 || e.remaining > e.entitled) return false
    // the identity holds whenever nothing is over-booked
    if (e.scheduled + e.used <= e.entitled && e.remaining !== e.entitled - e.scheduled - e.used) return false
    // canceled calls and calls outside the term never count
    if (e.scheduled + e.used !== inside.filter((c) => c.status !== 'canceled').length) return false
    // canceling a scheduled call of the term gives exactly its credit back (unless over-booked)
    const idx = calls.findIndex((c) => c.status === 'scheduled' && inTerm(c.scheduledAt, term))
    if (idx >= 0) {
      const after = calls.map((c, i) => i === idx ? { ...c, status: 'canceled' as const } : c)
      const e2 = entitlement(plan, term, countCallsInTerm(after, term))
      const gained = e2.remaining - e.remaining
      if (gained < 0 || gained > 1) return false
      if (e.scheduled + e.used <= e.entitled && gained !== 1) return false
    }
    return true
  }), { numRuns: 2000 })
  // the plan order Basic < Enhanced < Premier: an upgrade never lowers remaining
  fc.assert(fc.property(fc.nat(6), fc.nat(6), fc.nat(6), (scheduled, completed, noShow) => {
    const counts = { scheduled, completed, noShow }
    const r = PLAN_IDS.map((p) => entitlement(p, term, counts).remaining)
    return r[0]! <= r[1]! && r[1]! <= r[2]!
  }))
  t.pass('properties hold')
})
