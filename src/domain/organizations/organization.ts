import { DomainError } from '../errors.js'
import type { PlanId } from '../policy/policy.js'
import { iso } from '../time.js'

export const SUBSCRIPTION_STATUSES = ['active', 'past_due', 'canceled'] as const
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number]

export interface Subscription {
  status: SubscriptionStatus
  termStart: Date
  termEnd: Date
}

export interface Organization {
  id: string
  name: string
  plan: PlanId
  subscription: Subscription
  /** registered email domains: mail from them may open tickets for this organization (admin-managed) */
  emailDomains?: string[]
  version: number
  createdAt: Date
  updatedAt: Date
}

/** "The support packages apply to Customer, only if Customer is a current paying subscriber": active and within the term */
export const isSubscriptionCurrent = (s: Subscription, now: Date): boolean =>
  s.status === 'active' && s.termStart.getTime() <= now.getTime() && now.getTime() < s.termEnd.getTime()

export function assertValidTerm (termStart: Date, termEnd: Date): void {
  if (!(termEnd.getTime() > termStart.getTime())) {
    throw new DomainError('invalid-subscription-term', 'termEnd must be after termStart', { termStart: iso(termStart), termEnd: iso(termEnd) })
  }
}

/** refuses support work for an organization whose subscription is not current (403 subscription-inactive) */
export function assertSubscriptionCurrent (org: Organization, now: Date): void {
  if (!isSubscriptionCurrent(org.subscription, now)) {
    const s = org.subscription
    const why = s.status !== 'active'
      ? `the subscription is ${s.status}`
      : now < s.termStart ? `the subscription term starts ${iso(s.termStart)}` : `the subscription term ended ${iso(s.termEnd)}`
    throw new DomainError('subscription-inactive', `Support applies only to current paying subscribers: ${why}`, {
      subscriptionStatus: s.status, termStart: iso(s.termStart), termEnd: iso(s.termEnd)
    })
  }
}
