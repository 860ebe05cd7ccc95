import t from 'tap'
import {
  assertSubscriptionAllows,
  requiresCurrentSubscription,
  SUBSCRIPTION_REQUIREMENT,
  TICKET_ACTIONS,
  type TicketAction
} from '../../../src/domain/tickets/subscription.js'
import { org, throwsCode } from './fixtures.js'

const NOW = new Date('2026-03-09T16:00:00Z')
const current = org('enhanced')
const lapsedOrgs = {
  past_due: org('enhanced', { subscription: { status: 'past_due', termStart: new Date('2025-01-01T00:00:00Z'), termEnd: new Date('2030-01-01T00:00:00Z') } }),
  canceled: org('enhanced', { subscription: { status: 'canceled', termStart: new Date('2025-01-01T00:00:00Z'), termEnd: new Date('2030-01-01T00:00:00Z') } }),
  'term ended': org('enhanced', { subscription: { status: 'active', termStart: new Date('2025-01-01T00:00:00Z'), termEnd: new Date('2026-01-01T00:00:00Z') } })
}

t.test('the rule as data: starting support needs a current subscription for everyone; customers also for writes on existing tickets; staff wrap-up never', async (t) => {
  t.same(SUBSCRIPTION_REQUIREMENT, {
    create: 'everyone',
    'request-reopen': 'everyone',
    'approve-reopen': 'everyone',
    comment: 'customers',
    edit: 'customers',
    'deny-reopen': 'nobody',
    'change-severity': 'nobody',
    close: 'nobody'
  })
  t.same([...TICKET_ACTIONS].sort(), Object.keys(SUBSCRIPTION_REQUIREMENT).sort())
  t.ok(Object.isFrozen(SUBSCRIPTION_REQUIREMENT))
})

t.test('assertSubscriptionAllows: every action × actor × subscription', async (t) => {
  for (const action of TICKET_ACTIONS) {
    for (const by of ['customer', 'staff'] as const) {
      t.doesNotThrow(() => { assertSubscriptionAllows(action, { organization: current, by, now: NOW }) }, `${by} ${action}: current`)
      const needed = requiresCurrentSubscription(action, by)
      t.equal(needed, SUBSCRIPTION_REQUIREMENT[action] === 'everyone' || (SUBSCRIPTION_REQUIREMENT[action] === 'customers' && by === 'customer'), `${by} ${action}: needed = ${String(needed)}`)
      for (const [why, o] of Object.entries(lapsedOrgs)) {
        const run = (): void => { assertSubscriptionAllows(action, { organization: o, by, now: NOW }) }
        if (needed) throwsCode(t, run, 'subscription-inactive', { termEnd: o.subscription.termEnd.toISOString() }, `${by} ${action}: ${why}`)
        else t.doesNotThrow(run, `${by} ${action}: ${why} is fine`)
      }
    }
  }
  const expected: Array<[TicketAction, 'customer' | 'staff']> = [['create', 'staff'], ['approve-reopen', 'staff'], ['comment', 'customer'], ['edit', 'customer']]
  for (const [action, by] of expected) t.equal(requiresCurrentSubscription(action, by), true, `${by} ${action}`)
  for (const [action, by] of [['comment', 'staff'], ['close', 'staff'], ['change-severity', 'staff'], ['deny-reopen', 'staff']] as const) {
    t.equal(requiresCurrentSubscription(action, by), false, `${by} ${action}`)
  }
})
