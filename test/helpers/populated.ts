import type { Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { signInbound } from '../../src/http/routes/inbound-email.js'
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

/**
 * The inbound mail is posted to a second instance over the same database with inbound email on and outbound off (the
 * desk itself keeps email off: with outbound email on, a contact attempt only counts once its email is delivered, and
 * the closed-for-no-response ticket above needs three). Webhook endpoints point at a loopback port (allow-listed) that
 * is never called: the job engine is off here, so deliveries stay queued.
 */
const INBOUND_SECRET = 'populated-inbound-secret-0123456789'
const WEBHOOK_HOST = '127.0.0.1:9'
/** no real DNS (the machine may be offline): every name is unknown, at once */
const noDns = async (name: string, rrtype: string): Promise<never> => { throw Object.assign(new Error(`${rrtype} ${name} not found`), { code: 'ENOTFOUND' }) }

const rawMessage = (from: string, subject: string, messageId: string): Buffer => Buffer.from([
  'Received: from mx.sender.example (mx.sender.example [192.0.2.10]) by inbound.provider.example with ESMTPS; Mon, 9 Mar 2026 16:30:00 +0000',
  `Return-Path: <${from}>`, `From: ${from}`, 'To: support@desk.example', `Subject: ${subject}`, `Message-ID: <${messageId}>`,
  'Date: Mon, 9 Mar 2026 16:30:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'Who are you?', ''
].join('\r\n'))

const TICKET = { subject: 'DMARC reports stopped arriving', description: 'No aggregate reports since this morning.', severity: 'high', channel: 'portal', requester: { name: 'Dana Reyes', email: 'dana@acme.example' } }

export async function populatedDesk (t: Test, options: { env?: Record<string, string> } = {}): Promise<PopulatedDesk> {
  const h = await buildTestApp(t, {
    clock: new TestClock(new Date('2026-03-09T16:00:00.000Z')),
    env: {
      RATE_LIMIT_MAX: '0',
      WEBHOOK_ALLOWED_HOSTS: WEBHOOK_HOST,
      ...options.env
    },
    webhooks: { resolve: async () => [{ address: '127.0.0.1', family: 4 }] }
  })
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
  // knowledge base: a category, two articles, the first changed once (two revisions)
  const category = await must(agent, 'POST', '/v1/kb/categories', { name: 'Email authentication' })
  const article = await must(agent, 'POST', '/v1/kb/articles', { title: 'Publish a DKIM key', bodyMarkdown: '# Publish a DKIM key\n\nAdd a **TXT** record.', categoryId: category.id, tags: ['dkim'], status: 'published' })
  await must(admin, 'POST', '/v1/kb/articles', { title: 'Read a DMARC report', bodyMarkdown: 'Aggregate reports are XML.', status: 'published' })
  h.clock.advance(60_000)
  await must(agent, 'PATCH', `/v1/kb/articles/${article.id as string}`, { summary: 'Add the TXT record at selector._domainkey.' })
  const revisions = (await h.request(agent, { method: 'GET', url: `/v1/kb/articles/${article.id as string}/revisions?limit=100` })).json() as { items: Array<{ id: string }> }
  // webhooks: two endpoints, two test deliveries to the first (queued only: the job engine is off here)
  const endpoint = await must(admin, 'POST', '/v1/webhook-endpoints', { url: `http://${WEBHOOK_HOST}/hooks`, description: 'CRM' })
  await must(admin, 'POST', '/v1/webhook-endpoints', { url: `http://${WEBHOOK_HOST}/other`, organizationId: org.id })
  const delivery = await must(admin, 'POST', `/v1/webhook-endpoints/${endpoint.id as string}/test`, {})
  h.clock.advance(1_000)
  await must(admin, 'POST', `/v1/webhook-endpoints/${endpoint.id as string}/test`, {})
  // inbound email: two messages from a domain no organization has are quarantined
  const mailApp = await buildApp({ ...h.config, email: { ...h.config.email, smtpUrl: undefined, mailFrom: 'Acme Support <support@desk.example>', tokenSecret: 'populated-token-secret-0123456789abcdef', inboundSecret: INBOUND_SECRET } },
    { database: h.database, now: h.clock.now, docsUi: false, dnsResolver: noDns, webhooks: { dispatcher: false } })
  await mailApp.ready()
  const quarantined: Array<Record<string, any>> = []
  try {
    for (let i = 1; i <= 2; i++) {
      const raw = rawMessage('someone@unknown.example', `Hello ${i}`, `u-${i}@unknown.example`)
      const res = await mailApp.inject({ method: 'POST', url: '/v1/inbound-email', payload: raw, headers: { 'content-type': 'message/rfc822', 'x-inbound-signature': signInbound(INBOUND_SECRET, raw) } })
      const body = res.json() as Record<string, any>
      if (res.statusCode !== 200 || body.outcome !== 'quarantined') throw new Error(`populatedDesk: inbound email → ${res.statusCode} ${res.body}`)
      quarantined.push(body)
      h.clock.advance(1_000)
    }
  } finally {
    await mailApp.close()
  }
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
      calendarId,
      categoryId: category.id,
      articleId: article.id,
      revisionId: revisions.items.at(-1)?.id ?? '',
      endpointId: endpoint.id,
      deliveryId: delivery.id,
      inboundEmailId: quarantined[0]?.id ?? ''
    }
  }
}
