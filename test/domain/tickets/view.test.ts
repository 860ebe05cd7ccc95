import t from 'tap'
import { snapshotFields, ticketFields } from '../../../src/domain/tickets/view.js'
import type { Ticket } from '../../../src/domain/tickets/ticket.js'

const at = new Date('2026-01-02T03:04:05.000Z')
const ticket: Ticket = {
  id: '00000000-0000-4000-8000-000000000001', organizationId: '00000000-0000-4000-8000-000000000002',
  subject: 's', description: 'd', severity: 'high', priority: 'P2', channel: 'portal', requester: { name: 'n', email: 'e@x.example' },
  category: null, assigneeId: null, status: 'open', closedReason: null, closeNote: null, closedAt: null, closedBy: null, contactAttempts: 0,
  sla: { cycle: 1, plan: 'basic', priority: 'P2', targetSeconds: 1, calendarId: 'business-hours' as Ticket['sla']['calendarId'], clockStartedAt: at, dueAt: at, atRiskAt: at, firstRespondedAt: null },
  slaHistory: [], createdBy: { id: 'u', role: 'customer' }, receivedAt: at, version: 1, createdAt: at, updatedAt: at
}

t.test('the event snapshot keeps the fields it always had', async (t) => {
  t.same(Object.keys(snapshotFields(ticket)).sort(), ['assigneeId', 'category', 'channel', 'contactAttempts', 'createdAt', 'description', 'priority', 'receivedAt', 'requester', 'severity', 'status', 'subject', 'tags'].sort())
  t.same(snapshotFields(ticket), { subject: 's', description: 'd', severity: 'high', priority: 'P2', channel: 'portal', requester: { name: 'n', email: 'e@x.example' }, category: null, assigneeId: null, status: 'open', contactAttempts: 0, receivedAt: at.toISOString(), createdAt: at.toISOString(), tags: [] })
})

t.test('the fields view: every plain field, dates as ISO text, no computed parts', async (t) => {
  const v = ticketFields(ticket)
  t.equal(v.updatedAt, at.toISOString())
  t.equal(v.closedAt, null)
  t.notOk('sla' in v)
  t.notOk('slaHistory' in v)
  t.notOk('externalRefs' in v)
})
