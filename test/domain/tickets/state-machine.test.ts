import t from 'tap'
import fc from 'fast-check'
import { DomainError } from '../../../src/domain/errors.js'
import { allowedActions, TICKET_ACTIONS, transition, TRANSITIONS, type TicketAction } from '../../../src/domain/tickets/state-machine.js'
import { TICKET_STATUSES, type TicketStatus } from '../../../src/domain/tickets/ticket.js'
import { throwsCode } from './fixtures.js'

t.test('the transition table', async (t) => {
  const cases: Array<[TicketStatus, TicketAction, TicketStatus | 'invalid']> = [
    ['open', 'contact_attempt', 'pending_customer'],
    ['open', 'customer_reply', 'open'],
    ['open', 'close', 'closed'],
    ['open', 'reopen', 'invalid'],
    ['pending_customer', 'contact_attempt', 'pending_customer'],
    ['pending_customer', 'customer_reply', 'open'],
    ['pending_customer', 'close', 'closed'],
    ['pending_customer', 'reopen', 'invalid'],
    ['closed', 'contact_attempt', 'invalid'],
    ['closed', 'customer_reply', 'invalid'],
    ['closed', 'close', 'invalid'],
    ['closed', 'reopen', 'open']
  ]
  t.equal(cases.length, TICKET_STATUSES.length * TICKET_ACTIONS.length, 'every (status, action) pair is covered')
  for (const [from, action, expected] of cases) {
    if (expected === 'invalid') {
      throwsCode(t, () => transition(from, action), 'invalid-transition', { currentStatus: from }, `${from} --${action}--> refused`)
    } else {
      t.equal(transition(from, action), expected, `${from} --${action}--> ${expected}`)
    }
  }
})

t.test('the refusal names the current status and the allowed actions', async (t) => {
  try {
    transition('closed', 'close')
    t.fail('should throw')
  } catch (e) {
    t.ok(e instanceof DomainError)
    const err = e as DomainError
    t.equal(err.code, 'invalid-transition')
    t.match(err.message, /closed/)
    t.same(err.extras, { currentStatus: 'closed', action: 'close', allowedActions: ['reopen'] })
  }
  t.same(allowedActions('open'), ['contact_attempt', 'customer_reply', 'close'])
})

t.test('property: any action sequence stays inside the machine; closed is entered only by close and left only by reopen', async () => {
  fc.assert(fc.property(fc.array(fc.constantFrom(...TICKET_ACTIONS), { maxLength: 60 }), (actions) => {
    let status: TicketStatus = 'open'
    for (const action of actions) {
      const allowed = TRANSITIONS[status][action] !== undefined
      let next: TicketStatus
      try {
        next = transition(status, action)
      } catch (e) {
        if (allowed) throw new Error(`allowed action refused: ${status} ${action}`)
        if (!(e instanceof DomainError) || e.code !== 'invalid-transition' || e.extras.currentStatus !== status) throw e
        continue // a refusal changes nothing
      }
      if (!allowed) throw new Error(`forbidden action accepted: ${status} ${action}`)
      if (!TICKET_STATUSES.includes(next)) throw new Error('unknown status')
      if (next === 'closed' && status !== 'closed' && action !== 'close') throw new Error('closed entered without close')
      if (status === 'closed' && next !== 'closed' && action !== 'reopen') throw new Error('closed left without reopen')
      if (action === 'contact_attempt' && next !== 'pending_customer') throw new Error('contact attempt must wait for the customer')
      status = next
    }
  }), { numRuns: 2000 })
})
