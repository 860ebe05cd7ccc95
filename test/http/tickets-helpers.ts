import type { TestApp } from '../helpers/app.js'

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
