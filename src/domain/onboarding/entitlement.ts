/**
 * Onboarding-call entitlements (pure; the clock is an argument).
 *
 * The terms promise a number of onboarding calls per plan ("2x onboarding calls" for Enhanced, "5x" for Premier, none
 * for Basic); SUPPORT_PLANS[plan].onboardingCalls holds that number. It counts per subscription term:
 *
 * - a call belongs to the term that contains its `scheduledAt` — the half-open interval [termStart, termEnd). A call is
 *   only bookable inside the current term (see calls.ts), so a term counts exactly the calls that take place in it,
 *   and a new term (the admin moves termStart/termEnd) starts fresh: earlier calls fall out of the count by themselves;
 * - `entitled` is read from the CURRENT plan, so an upgrade raises it at once; `used` (completed + no_show) and
 *   `scheduled` are facts about calls and never change with the plan;
 * - `remaining = max(0, entitled − scheduled − used)`: a downgrade below what is already booked or used leaves 0 and
 *   cancels nothing (the calls stay as they are);
 * - canceled calls count for nothing: canceling gives the credit back.
 */
import { DomainError } from '../errors.js'
import { SUPPORT_PLANS, type PlanId } from '../policy/policy.js'
import { iso } from '../time.js'

export const CALL_STATUSES = ['scheduled', 'canceled', 'completed', 'no_show'] as const
export type CallStatus = (typeof CALL_STATUSES)[number]

export interface Term { termStart: Date; termEnd: Date }

/** the minimal shape of a call the arithmetic needs */
export interface CountedCall { status: CallStatus; scheduledAt: Date }

export interface CallCounts { scheduled: number; completed: number; noShow: number }

export interface Entitlement {
  plan: PlanId
  entitled: number
  scheduled: number
  completed: number
  noShow: number
  /** completed + no_show: both use the credit */
  used: number
  /** max(0, entitled − scheduled − used) */
  remaining: number
  termStart: Date
  termEnd: Date
}

/** true when the instant lies in the term [termStart, termEnd) */
export const inTerm = (at: Date, term: Term): boolean =>
  term.termStart.getTime() <= at.getTime() && at.getTime() < term.termEnd.getTime()

/** counts the calls of the term by status (calls scheduled outside the term and canceled calls are ignored) */
export function countCallsInTerm (calls: Iterable<CountedCall>, term: Term): CallCounts {
  const counts: CallCounts = { scheduled: 0, completed: 0, noShow: 0 }
  for (const c of calls) {
    if (!inTerm(c.scheduledAt, term)) continue
    if (c.status === 'scheduled') counts.scheduled++
    else if (c.status === 'completed') counts.completed++
    else if (c.status === 'no_show') counts.noShow++
  }
  return counts
}

export function entitlement (plan: PlanId, term: Term, counts: CallCounts): Entitlement {
  for (const [k, v] of Object.entries(counts)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${k} must be a non-negative integer, got ${String(v)}`)
  }
  const entitled = SUPPORT_PLANS[plan].onboardingCalls
  const used = counts.completed + counts.noShow
  return {
    plan,
    entitled,
    scheduled: counts.scheduled,
    completed: counts.completed,
    noShow: counts.noShow,
    used,
    remaining: Math.max(0, entitled - counts.scheduled - used),
    termStart: term.termStart,
    termEnd: term.termEnd
  }
}

/** the counts a refusal carries, so the caller can act on them */
export const entitlementExtras = (e: Entitlement): Record<string, unknown> => ({
  plan: e.plan, entitled: e.entitled, scheduled: e.scheduled, used: e.used, remaining: e.remaining,
  termStart: iso(e.termStart), termEnd: iso(e.termEnd)
})

/** refuses a booking that needs a credit when none is left (409 onboarding-entitlement-exhausted, with the counts) */
export function assertCreditLeft (e: Entitlement): void {
  if (e.remaining > 0) return
  const detail = e.entitled === 0
    ? `The ${SUPPORT_PLANS[e.plan].name} plan includes no onboarding calls`
    : `All ${e.entitled} onboarding call${e.entitled === 1 ? '' : 's'} of this term are booked or used (scheduled ${e.scheduled}, used ${e.used})`
  throw new DomainError('onboarding-entitlement-exhausted', detail, entitlementExtras(e))
}
