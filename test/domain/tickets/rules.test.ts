import t from 'tap'
import { TICKET_POLICY } from '../../../src/domain/policy/policy.js'
import { applyComment } from '../../../src/domain/tickets/conversation.js'
import { closeTicket } from '../../../src/domain/tickets/closing.js'
import { editTicket } from '../../../src/domain/tickets/editing.js'
import { assertCanOpenTicket, openTicket } from '../../../src/domain/tickets/opening.js'
import { assertCanRequestReopen, decideReopenRequest, reopenTicket, reopenWindowEndsAt, type ReopenRequest } from '../../../src/domain/tickets/reopen.js'
import { slaView } from '../../../src/domain/tickets/sla.js'
import type { Ticket } from '../../../src/domain/tickets/ticket.js'
import { AGENT, CALENDARS, CUSTOMER, calendarFor, newTicket, org, throwsCode } from './fixtures.js'

const d = (s: string): Date => new Date(s)
const T0 = '2026-03-09T09:00:00-07:00' // Monday, PDT
const at = (minutes: number): Date => new Date(d(T0).getTime() + minutes * 60_000)
const agentSays = (tk: Ticket, minutes: number, awaitingCustomer = false, visibility: 'public' | 'internal' = 'public') =>
  applyComment(tk, { author: AGENT, visibility, awaitingCustomer }, at(minutes))
const customerSays = (tk: Ticket, minutes: number) => applyComment(tk, { author: CUSTOMER, visibility: 'public', awaitingCustomer: false }, at(minutes))

t.test('opening: subscription and channel rules; priority and clock', async (t) => {
  throwsCode(t, () => assertCanOpenTicket(org('basic', { subscription: { status: 'past_due', termStart: d('2025-01-01T00:00:00Z'), termEnd: d('2030-01-01T00:00:00Z') } }), 'portal', d(T0)), 'subscription-inactive')
  throwsCode(t, () => assertCanOpenTicket(org('basic', { subscription: { status: 'active', termStart: d('2025-01-01T00:00:00Z'), termEnd: d('2026-01-01T00:00:00Z') } }), 'portal', d(T0)), 'subscription-inactive', undefined, 'term ended')
  throwsCode(t, () => assertCanOpenTicket(org('basic'), 'video_call', d(T0)), 'channel-not-in-plan', { channel: 'video_call', plan: 'basic', plansWithChannel: ['enhanced', 'premier'] })
  throwsCode(t, () => assertCanOpenTicket(org('enhanced'), 'phone', d(T0)), 'channel-not-in-plan', { plansWithChannel: ['premier'] })
  assertCanOpenTicket(org('premier'), 'phone', d(T0))
  assertCanOpenTicket(org('enhanced'), 'video_call', d(T0))
  const draft = openTicket({ organization: org('enhanced'), subject: 's', description: 'd', severity: 'medium', channel: 'email', requester: { name: 'n', email: 'e@x.example' }, category: null, createdBy: CUSTOMER, calendar: calendarFor('enhanced', 'medium'), now: d(T0) })
  t.equal(draft.priority, 'P2')
  t.equal(draft.status, 'open')
  t.equal(draft.sla.clockStartedAt.toISOString(), d(T0).toISOString())
  t.equal(draft.sla.dueAt.toISOString(), d('2026-03-09T15:00:00-07:00').toISOString())
})

t.test('first response: the first public agent comment stops the clock; internal notes and customer comments do not', async (t) => {
  let tk = newTicket('enhanced', 'high', T0) // due 15:00
  let e = agentSays(tk, 10, false, 'internal')
  t.equal(e.firstResponse, false, 'internal note')
  t.equal(e.ticket.sla.firstRespondedAt, null)
  e = customerSays(e.ticket, 20)
  t.equal(e.firstResponse, false, 'customer comment')
  tk = e.ticket
  e = agentSays(tk, 30)
  t.equal(e.firstResponse, true)
  t.equal(e.ticket.sla.firstRespondedAt?.toISOString(), at(30).toISOString())
  t.equal(slaView(e.ticket.sla, CALENDARS['business-hours'], at(600)).status, 'met')
  const again = agentSays(e.ticket, 40)
  t.equal(again.firstResponse, false, 'only the first one')
  t.equal(again.ticket.sla.firstRespondedAt?.toISOString(), at(30).toISOString())
  // late: after 15:00
  const late = agentSays(newTicket('enhanced', 'high', T0), 7 * 60)
  t.equal(slaView(late.ticket.sla, CALENDARS['business-hours'], at(7 * 60)).status, 'breached')
})

t.test('contact attempts: pending_customer and the count; a customer comment answers them', async (t) => {
  let tk = newTicket('enhanced', 'high', T0)
  let e = agentSays(tk, 1, true)
  t.equal(e.contactAttempt, true)
  t.equal(e.ticket.status, 'pending_customer')
  t.equal(e.ticket.contactAttempts, 1)
  e = agentSays(e.ticket, 2, true)
  t.equal(e.ticket.contactAttempts, 2)
  e = agentSays(e.ticket, 3)
  t.equal(e.ticket.status, 'pending_customer', 'a plain public comment keeps waiting')
  t.equal(e.ticket.contactAttempts, 2)
  e = customerSays(e.ticket, 4)
  t.equal(e.answeredContactAttempts, true)
  t.equal(e.ticket.status, 'open')
  t.equal(e.ticket.contactAttempts, 0)
  tk = customerSays(e.ticket, 5).ticket
  t.equal(customerSays(tk, 6).answeredContactAttempts, false, 'nothing to answer')
  throwsCode(t, () => applyComment(tk, { author: CUSTOMER, visibility: 'internal', awaitingCustomer: false }, at(7)), 'forbidden')
  throwsCode(t, () => applyComment(tk, { author: CUSTOMER, visibility: 'public', awaitingCustomer: true }, at(7)), 'forbidden')
  throwsCode(t, () => applyComment(tk, { author: AGENT, visibility: 'internal', awaitingCustomer: true }, at(7)), 'validation-failed')
})

const withAttempts = (n: number): Ticket => {
  let tk = newTicket('enhanced', 'high', T0)
  for (let i = 0; i < n; i++) tk = agentSays(tk, i + 1, true).ticket
  return tk
}

t.test('closing rules', async (t) => {
  const min = TICKET_POLICY.minContactAttemptsForNoResponse
  t.equal(min, 3)
  throwsCode(t, () => closeTicket(withAttempts(min - 1), { reason: 'no_response', actor: AGENT }, at(60)), 'not-enough-contact-attempts', { contactAttempts: min - 1, required: min })
  const closed = closeTicket(withAttempts(min), { reason: 'no_response', actor: AGENT }, at(60))
  t.same({ status: closed.status, closedReason: closed.closedReason, closedAt: closed.closedAt?.toISOString(), closedBy: closed.closedBy }, { status: 'closed', closedReason: 'no_response', closedAt: at(60).toISOString(), closedBy: AGENT })
  throwsCode(t, () => closeTicket(closed, { reason: 'resolved', actor: AGENT }, at(61)), 'invalid-transition', { currentStatus: 'closed' })
  throwsCode(t, () => closeTicket(newTicket('enhanced', 'high', T0), { reason: 'out_of_scope', note: '   ', actor: AGENT }, at(60)), 'note-required')
  const oos = closeTicket(newTicket('enhanced', 'high', T0), { reason: 'out_of_scope', note: 'SSO is the customer\'s part', actor: AGENT }, at(60))
  t.equal(oos.closeNote, 'SSO is the customer\'s part')
  t.equal(oos.sla.firstRespondedAt?.toISOString(), at(60).toISOString(), 'closing before any response stops the clock')
  const resolved = closeTicket(newTicket('enhanced', 'high', T0), { reason: 'resolved', actor: AGENT }, at(60))
  t.equal(resolved.closeNote, null)
  // a closed ticket takes no comments and points the caller on
  throwsCode(t, () => agentSays(closed, 70), 'ticket-closed', { closedReason: 'no_response', next: { action: 'request-reopen' } })
  throwsCode(t, () => customerSays(resolved, 70), 'ticket-closed', { closedReason: 'resolved', next: { action: 'create-ticket', href: '/v1/tickets' } })
})

const request = (tk: Ticket, status: ReopenRequest['status'] = 'pending'): ReopenRequest => ({
  id: 'r1', ticketId: tk.id, organizationId: tk.organizationId, status, reason: 'still broken', requestedBy: CUSTOMER,
  createdAt: at(100), decidedAt: null, decidedBy: null, decisionNote: null, version: 1, updatedAt: at(100)
})

t.test('reopen requests: only for no-response closures, one pending, within the window', async (t) => {
  const open = newTicket('enhanced', 'high', T0)
  throwsCode(t, () => assertCanRequestReopen(open, { pendingRequestId: null, now: at(10) }), 'not-closed-for-no-response', { currentStatus: 'open' })
  const resolved = closeTicket(open, { reason: 'resolved', actor: AGENT }, at(60))
  throwsCode(t, () => assertCanRequestReopen(resolved, { pendingRequestId: null, now: at(70) }), 'not-closed-for-no-response', { currentStatus: 'closed', closedReason: 'resolved' })
  const closed = closeTicket(withAttempts(3), { reason: 'no_response', actor: AGENT }, at(60))
  assertCanRequestReopen(closed, { pendingRequestId: null, now: at(70) })
  throwsCode(t, () => assertCanRequestReopen(closed, { pendingRequestId: 'r1', now: at(70) }), 'reopen-request-pending', { pendingRequestId: 'r1' })
  const end = reopenWindowEndsAt(closed.closedAt as Date)
  t.equal(end.getTime() - (closed.closedAt as Date).getTime(), TICKET_POLICY.reopenWindowDays * 86_400_000)
  assertCanRequestReopen(closed, { pendingRequestId: null, now: end })
  throwsCode(t, () => assertCanRequestReopen(closed, { pendingRequestId: null, now: new Date(end.getTime() + 1) }), 'reopen-window-expired', { windowEndsAt: end.toISOString() })
})

t.test('deciding: once; a denial needs a note; approval reopens with a new cycle and keeps the old one', async (t) => {
  const closed = closeTicket(withAttempts(3), { reason: 'no_response', actor: AGENT }, at(60))
  const r = request(closed)
  throwsCode(t, () => decideReopenRequest(r, { decision: 'deny', note: '', actor: AGENT, now: at(200) }), 'note-required')
  const denied = decideReopenRequest(r, { decision: 'deny', note: 'Fixed by the DNS change', actor: AGENT, now: at(200) })
  t.same({ status: denied.status, note: denied.decisionNote, by: denied.decidedBy }, { status: 'denied', note: 'Fixed by the DNS change', by: AGENT })
  throwsCode(t, () => decideReopenRequest(denied, { decision: 'approve', actor: AGENT, now: at(201) }), 'reopen-request-decided', { currentStatus: 'denied' })
  const approved = decideReopenRequest(r, { decision: 'approve', actor: AGENT, now: at(200) })
  t.equal(approved.status, 'approved')
  t.equal(approved.decisionNote, null)

  // approval on Tuesday 10:00: new cycle from then with the current severity (high → 6 BH → 16:00)
  const approvalAt = d('2026-03-10T10:00:00-07:00')
  const reopened = reopenTicket(closed, { plan: 'enhanced', now: approvalAt, calendar: calendarFor('enhanced', 'high') })
  t.same({ status: reopened.status, reason: reopened.closedReason, closedAt: reopened.closedAt, attempts: reopened.contactAttempts }, { status: 'open', reason: null, closedAt: null, attempts: 0 })
  t.equal(reopened.sla.cycle, 2)
  t.equal(reopened.sla.clockStartedAt.toISOString(), approvalAt.toISOString())
  t.equal(reopened.sla.dueAt.toISOString(), d('2026-03-10T16:00:00-07:00').toISOString())
  t.equal(reopened.sla.firstRespondedAt, null)
  t.equal(reopened.slaHistory.length, 1)
  t.same({ cycle: reopened.slaHistory[0]?.cycle, status: reopened.slaHistory[0]?.status }, { cycle: 1, status: 'met' })
  throwsCode(t, () => reopenTicket(reopened, { plan: 'enhanced', now: approvalAt, calendar: calendarFor('enhanced', 'high') }), 'invalid-transition', { currentStatus: 'open' })
})

t.test('editing: the role matrix', async (t) => {
  const tk = newTicket('enhanced', 'high', T0)
  const own = editTicket(tk, { subject: 'New subject', description: 'More detail' }, { staff: false })
  t.same(own.changes, { subject: { before: 'DMARC reports missing', after: 'New subject' }, description: { before: 'Nothing since this morning', after: 'More detail' } })
  throwsCode(t, () => editTicket(tk, { assigneeId: 'agent-1' }, { staff: false }), 'field-not-allowed', { fields: ['assigneeId'] })
  throwsCode(t, () => editTicket(tk, { subject: 'x', category: 'dns' }, { staff: false }), 'field-not-allowed', { fields: ['category'], allowedFields: ['subject', 'description'] })
  const staff = editTicket(tk, { assigneeId: 'agent-1', category: 'dns', subject: tk.subject }, { staff: true })
  t.same(Object.keys(staff.changes).sort(), ['assigneeId', 'category'], 'unchanged values are not changes')
  t.equal(staff.ticket.assigneeId, 'agent-1')
  t.same(editTicket(staff.ticket, { assigneeId: null }, { staff: true }).changes, { assigneeId: { before: 'agent-1', after: null } })
  const closed = closeTicket(tk, { reason: 'resolved', actor: AGENT }, at(60))
  throwsCode(t, () => editTicket(closed, { subject: 'x' }, { staff: false }), 'ticket-closed')
  t.equal(editTicket(closed, { category: 'dns' }, { staff: true }).ticket.category, 'dns', 'staff may still tidy a closed ticket')
})
