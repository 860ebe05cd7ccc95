import { isSubscriptionCurrent, type Organization } from '../../domain/organizations/organization.js'
import { iso } from '../../domain/time.js'

export const presentOrganization = (o: Organization, now: Date) => ({
  id: o.id,
  name: o.name,
  plan: o.plan,
  subscription: {
    status: o.subscription.status,
    termStart: iso(o.subscription.termStart),
    termEnd: iso(o.subscription.termEnd),
    current: isSubscriptionCurrent(o.subscription, now)
  },
  emailDomains: o.emailDomains ?? [],
  version: o.version,
  createdAt: iso(o.createdAt),
  updatedAt: iso(o.updatedAt)
})
