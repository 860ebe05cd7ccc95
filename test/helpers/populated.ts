import type { Test } from 'tap'
import { buildTestApp, TestClock, type TestApp } from './app.js'

/**
 * A desk with at least two items in every list the API has (so `limit=1` pages carry a nextCursor), for the
 * generic contract suites (test/contract/*). Clock: Monday 2026-03-09 09:00 PDT.
 */
export interface PopulatedDesk {
  h: TestApp
  tokens: { admin: string; agent: string; customer: string }
  /** values for path parameters by name (organizationId, ticketId, …) */
  ids: Record<string, string>
}

const TICKET = { subject: 'DMARC reports stopped arriving', description: 'No aggregate reports since this morning.', severity: 'high', channel: 'portal', requester: { name: 'Dana Reyes', email: 'dana@acme.example' } }

export async function populatedDesk (t: Test, options: { env?: Record<string, string> } = {}): Promise<PopulatedDesk> {
  const h = await buildTestApp(t, { clock: new TestClock(new Date('2026-03-09T16:00:00.000Z')), env: { RATE_LIMIT_MAX: '0', ...options.env } })
  const admin = await h.adminToken()
  const agent = await h.agentToken()
  const must = async (token: string, method: 'POST' | 'PATCH' | 'PUT', url: string, payload: unknown): Promise<Record<string, any>> => {
    const res = await h.request(token, { method, url, payload: payload as Record<string, unknown> })
    if (res.statusCode >= 300) throw new Error(`populatedDesk: ${method} ${url} → ${res.statusCode} ${res.body}`)
    return res.json()
  }
  const org = await h.createOrg('enhanced')
  await h.createOrg('basic')
  const customer = await h.customerToken(org.id)
  await must(customer, 'POST', '/v1/tickets', { ...TICKET, subject: 'Second ticket', severity: 'low' })
  // the ticket of every per-ticket list: comments, two severity changes, closed for no response, two reopen requests
  const ticket = await must(customer, 'POST', '/v1/tickets', TICKET)
  const closing = ticket
  await must(customer, 'POST', `/v1/tickets/${ticket.id}/comments`, { body: 'Any news?' })
  h.clock.advance(60_000)
  const change = await must(agent, 'POST', `/v1/tickets/${ticket.id}/severity-changes`, { severity: 'urgent', reason: 'Production is down' })
  h.clock.advance(60_000)
  await must(agent, 'POST', `/v1/tickets/${ticket.id}/severity-changes`, { severity: 'high', reason: 'Only one domain is affected' })
  for (let i = 0; i < 3; i++) await must(agent, 'POST', `/v1/tickets/${closing.id}/comments`, { body: `Attempt ${i + 1}`, awaitingCustomer: true })
  h.clock.advance(3_600_000)
  await must(agent, 'POST', `/v1/tickets/${closing.id}/close`, { reason: 'no_response' })
  h.clock.advance(86_400_000)
  const reopen = await must(customer, 'POST', `/v1/tickets/${closing.id}/reopen-requests`, { reason: 'I was on leave' })
  await must(agent, 'POST', `/v1/reopen-requests/${reopen.id}/deny`, { note: 'Resolved elsewhere' })
  await must(customer, 'POST', `/v1/tickets/${closing.id}/reopen-requests`, { reason: 'Still broken' })
  const attendees = [{ name: 'Dana Ops', email: 'dana@acme.example' }]
  const call = await must(customer, 'POST', `/v1/organizations/${org.id}/onboarding-calls`, { scheduledAt: '2026-03-16T16:00:00.000Z', durationMinutes: 60, attendees })
  await must(customer, 'POST', `/v1/organizations/${org.id}/onboarding-calls`, { scheduledAt: '2026-03-17T16:00:00.000Z', durationMinutes: 60, attendees })
  const calendars = (await h.request(agent, { method: 'GET', url: '/v1/calendars' })).json() as { items: Array<{ id: string; observesHolidays?: boolean }> }
  const calendarId = (calendars.items.find((c) => c.observesHolidays === true) ?? calendars.items[0])?.id ?? 'us-pacific'
  return {
    h,
    tokens: { admin, agent, customer },
    ids: {
      organizationId: org.id,
      ticketId: ticket.id,
      commentId: '',
      severityChangeId: change.id,
      requestId: reopen.id,
      reopenRequestId: reopen.id,
      callId: call.id,
      onboardingCallId: call.id,
      calendarId
    }
  }
}
