import type { Test } from 'tap'
import { buildTestApp, type TestApp } from '../helpers/app.js'

export const MON_0900 = '2026-03-09T09:00:00-07:00' // Monday, PDT

/** the ticket suites' common start: a test app whose clock is Monday 09:00 PDT, an Enhanced organization, its customer and an agent */
export async function enhancedDeskOnMonday (t: Test): Promise<{ h: TestApp; org: Awaited<ReturnType<TestApp['createOrg']>>; cust: string; agent: string }> {
  const h = await buildTestApp(t)
  h.clock.set(MON_0900)
  const org = await h.createOrg('enhanced')
  return { h, org, cust: await h.customerToken(org.id), agent: await h.agentToken() }
}

export const TICKET_BODY = {
  subject: 'DMARC reports stopped arriving',
  description: 'Since this morning no aggregate reports show up.',
  severity: 'high',
  channel: 'portal',
  requester: { name: 'Dana Reyes', email: 'dana@acme.example' }
}

/** opens a ticket through the API and returns its JSON (fails loudly otherwise) */
export async function openTicket (h: TestApp, token: string, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await h.request(token, { method: 'POST', url: '/v1/tickets', payload: { ...TICKET_BODY, ...overrides } })
  if (res.statusCode !== 201) throw new Error(`openTicket: ${res.statusCode} ${res.body}`)
  return res.json()
}

export async function comment (h: TestApp, token: string, ticketId: string, payload: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await h.request(token, { method: 'POST', url: `/v1/tickets/${ticketId}/comments`, payload })
  if (res.statusCode !== 201) throw new Error(`comment: ${res.statusCode} ${res.body}`)
  return res.json()
}

export async function getTicket (h: TestApp, token: string, ticketId: string): Promise<Record<string, any>> {
  const res = await h.request(token, { method: 'GET', url: `/v1/tickets/${ticketId}` })
  if (res.statusCode !== 200) throw new Error(`getTicket: ${res.statusCode} ${res.body}`)
  return res.json()
}

export async function events (h: TestApp, token: string, ticketId: string): Promise<Array<Record<string, any>>> {
  const res = await h.request(token, { method: 'GET', url: `/v1/tickets/${ticketId}/events?limit=100` })
  if (res.statusCode !== 200) throw new Error(`events: ${res.statusCode} ${res.body}`)
  return res.json().items
}

/** agent comments with awaitingCustomer until the ticket has n unanswered contact attempts */
export async function contactAttempts (h: TestApp, agent: string, ticketId: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await comment(h, agent, ticketId, { body: `Attempt ${i + 1}: could you send the DNS record?`, awaitingCustomer: true })
}
