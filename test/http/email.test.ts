import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { signInbound } from '../../src/http/routes/inbound-email.js'
import { captureSmtp, dkimKey, fixedDns, rawMessage, sendInto } from './email-helpers.js'
import { comment, events, getTicket, MON_0900, openTicket } from './tickets-helpers.js'

const SECRET = 'inbound-shared-secret-0123456789'
const acmeKey = dkimKey('acme.example')
const globexKey = dkimKey('globex.example')
const dns = fixedDns({
  'acme.example': ['v=spf1 -all'],
  'sel1._domainkey.acme.example': [acmeKey.txt],
  '_dmarc.acme.example': ['v=DMARC1; p=reject'],
  'globex.example': ['v=spf1 -all'],
  'sel1._domainkey.globex.example': [globexKey.txt],
  '_dmarc.globex.example': ['v=DMARC1; p=none']
})

const capture = await captureSmtp(t)
const h = await buildTestApp(t, {
  env: {
    SMTP_URL: `smtp://127.0.0.1:${capture.port}`,
    MAIL_FROM: 'Acme Support <support@desk.example>',
    EMAIL_TOKEN_SECRET: 'reply-token-secret-0123456789abcdef',
    INBOUND_EMAIL_SECRET: SECRET
  },
  deps: { dnsResolver: dns },
  jobs: true
})
h.clock.set(MON_0900)
const smtp = await h.app.emailChannel.startInboundSmtp(0, '127.0.0.1')
const admin = await h.adminToken()
const agent = await h.agentToken()
const acme = await h.createOrg('enhanced', { emailDomains: ['acme.example'] })
const globex = await h.createOrg('basic', { emailDomains: ['Globex.Example'] })
const cust = await h.customerToken(acme.id)

/** runs the due jobs (email-delivery among them) at the TestClock's now */
const deliver = async (): Promise<number> => await h.runDueJobs()
const sentTo = (ticketRefPart: string) => capture.messages.filter((m) => (m.parsed.subject ?? '').includes(ticketRefPart))
const refOf = (id: string): string => `SD-${id.replace(/-/g, '').slice(0, 8).toUpperCase()}`
const comments = async (ticketId: string): Promise<Array<Record<string, any>>> =>
  (await h.request(agent, { method: 'GET', url: `/v1/tickets/${ticketId}/comments?limit=100` })).json().items
const postRaw = async (raw: Buffer, signature: string | null = signInbound(SECRET, raw)) => await h.request(null, {
  method: 'POST', url: '/v1/inbound-email', payload: raw,
  headers: { 'content-type': 'message/rfc822', ...(signature === null ? {} : { 'x-inbound-signature': signature }) }
})

t.test('organizations: emailDomains are normalised, and one domain has one organization', async (t) => {
  t.same(acme.emailDomains, ['acme.example'])
  t.same(globex.emailDomains, ['globex.example'])
  const clash = await h.request(admin, { method: 'PATCH', url: `/v1/organizations/${globex.id}`, payload: { emailDomains: ['globex.example', 'acme.example'] } })
  t.equal(clash.statusCode, 409)
  t.match(clash.json(), { code: 'email-domain-taken', domain: 'acme.example' })
  const bad = await h.request(admin, { method: 'PATCH', url: `/v1/organizations/${globex.id}`, payload: { emailDomains: ['*.globex.example'] } })
  t.equal(bad.statusCode, 400)
})

t.test('acknowledgement: ticket number, priority and first-response deadline in PT; reply threaded by In-Reply-To', async (t) => {
  h.clock.set(MON_0900)
  const tk = await openTicket(h, cust, { requester: { name: 'Dana Reyes', email: 'dana@acme.example' } })
  t.match(tk.email, { enabled: true, replyAddress: /^support\+[0-9a-f]{48}@desk\.example$/ })
  t.equal(sentTo(refOf(tk.id)).length, 0, 'queued with the ticket, sent by the job')
  await deliver()
  t.equal(sentTo(refOf(tk.id)).length, 1)
  const [ack] = sentTo(refOf(tk.id))
  t.ok(ack, 'acknowledgement sent')
  if (ack === undefined) return
  t.match(ack.parsed.subject, `[${refOf(tk.id)}]`)
  t.same(ack.rcptTo, ['dana@acme.example'])
  t.match(ack.parsed.text, 'priority P2 (high)')
  t.match(ack.parsed.text, 'Monday, March 9, 2026 at 3:00 PM (Pacific Time), within 6 business hours')
  t.match(String(ack.parsed.html), 'Monday, March 9, 2026 at 3:00 PM')
  t.equal(ack.parsed.replyTo?.value[0]?.address, tk.email.replyAddress)
  t.equal(ack.parsed.headers.get('auto-submitted'), 'auto-generated')
  const ackId = ack.parsed.messageId ?? ''
  t.match(ackId, /^<.+@desk\.example>$/)

  // a public agent comment goes out in the same thread; an internal one never leaves
  await comment(h, agent, tk.id, { body: 'Checking the DNS history', visibility: 'internal' })
  const pub = await comment(h, agent, tk.id, { body: 'We are looking at your aggregate reports.' })
  t.match(pub.email, { direction: 'outbound', delivery: 'queued' })
  await deliver()
  t.equal(sentTo(refOf(tk.id)).length, 2, 'only the public comment is sent')
  const reply = sentTo(refOf(tk.id)).at(-1)
  t.match(reply?.parsed.text, 'We are looking at your aggregate reports.')
  t.equal(reply?.parsed.inReplyTo, ackId)
  t.notOk(capture.messages.some((m) => (m.parsed.text ?? '').includes('DNS history')), 'internal comments never leave')
  t.match((await comments(tk.id)).find((c) => c.id === pub.id)?.email, { delivery: 'sent', messageId: (reply?.parsed.messageId ?? '').slice(1, -1) })

  h.clock.set('2026-03-09T10:00:00-07:00')
  const response = await sendInto(smtp.port, {
    from: 'Dana Reyes <dana@acme.example>', to: 'support@desk.example', subject: `Re: ${ack.parsed.subject ?? ''}`,
    text: 'Here is the record: v=DMARC1; p=none\n\nOn Mon, Mar 9, 2026 Acme Support wrote:\n> we received your request',
    inReplyTo: ackId, references: [ackId], dkim: acmeKey
  })
  t.match(response, 'Accepted: commented')
  const conv = await comments(tk.id)
  const inbound = conv.at(-1)
  t.match(inbound, { body: 'Here is the record: v=DMARC1; p=none', visibility: 'public', author: { id: 'email:dana@acme.example', role: 'customer' } })
  t.match(inbound?.email, { direction: 'inbound', authentication: { dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'reject', fromDomain: 'acme.example' } })
  const trail = await events(h, agent, tk.id)
  t.ok(trail.some((e) => e.type === 'email.received' && e.data.outcome === 'commented'), 'email.received event')
  t.equal(trail.filter((e) => e.type === 'email.sent').length, 2, 'email.sent events')
})

t.test('a reply threaded only by the signed reply address; a forged token is not a thread', async (t) => {
  h.clock.set('2026-03-10T09:00:00-07:00')
  const tk = await openTicket(h, cust, { requester: { name: 'Dana Reyes', email: 'dana@acme.example' } })
  await deliver()
  const response = await sendInto(smtp.port, {
    from: 'dana@acme.example', to: tk.email.replyAddress, subject: 'my answer', text: 'Answering from my phone', dkim: acmeKey
  })
  t.match(response, 'Accepted: commented')
  t.equal((await comments(tk.id)).at(-1)?.body, 'Answering from my phone')

  const forged = String(tk.email.replyAddress).replace(/[0-9a-f]@/, (m) => (m[0] === '0' ? '1@' : '0@'))
  const res = await sendInto(smtp.port, { from: 'dana@acme.example', to: forged, subject: 'Forged thread', text: 'x', dkim: acmeKey })
  t.match(res, 'Accepted: opened_ticket', 'not threaded: a new message from a registered domain')
})

t.test('contact attempts by email: counted when delivered, undeliverable ones do not count, an email reply resets', async (t) => {
  h.clock.set('2026-03-11T09:00:00-07:00')
  const tk = await openTicket(h, cust, { requester: { name: 'Dana Reyes', email: 'dana@acme.example' } })
  await deliver()
  const close = async () => await h.request(agent, { method: 'POST', url: `/v1/tickets/${tk.id}/close`, payload: { reason: 'no_response' } })

  const a1 = await comment(h, agent, tk.id, { body: 'Attempt 1: please send the TXT record', awaitingCustomer: true })
  t.match(await getTicket(h, agent, tk.id), { status: 'pending_customer', contactAttempts: 0 }, 'not counted before delivery')
  await deliver()
  t.match(await getTicket(h, agent, tk.id), { status: 'pending_customer', contactAttempts: 1 })
  t.match((await comments(tk.id)).find((c) => c.id === a1.id)?.email, { direction: 'outbound', delivery: 'sent' })
  const attemptMail = sentTo(refOf(tk.id)).at(-1)
  t.match(attemptMail?.parsed.subject, 'We need your reply')

  // the customer answers by email: the count resets and the ticket is open again
  h.clock.advance(60_000)
  t.match(await sendInto(smtp.port, { from: 'dana@acme.example', to: 'support@desk.example', subject: 'Re', text: 'Sent it.', inReplyTo: attemptMail?.parsed.messageId, dkim: acmeKey }), 'Accepted: commented')
  t.match(await getTicket(h, agent, tk.id), { status: 'open', contactAttempts: 0 })

  // two delivered attempts, one that bounces permanently, one deferred then delivered
  for (const n of [2, 3]) {
    h.clock.advance(60_000)
    await comment(h, agent, tk.id, { body: `Attempt ${n}`, awaitingCustomer: true })
  }
  await deliver()
  t.match(await getTicket(h, agent, tk.id), { contactAttempts: 2 })
  t.match((await close()).json(), { code: 'not-enough-contact-attempts', contactAttempts: 2 })

  h.clock.advance(60_000)
  capture.failNext(550)
  const bounced = await comment(h, agent, tk.id, { body: 'Attempt 4', awaitingCustomer: true })
  await deliver()
  t.match((await comments(tk.id)).find((c) => c.id === bounced.id)?.email, { delivery: 'failed', error: /550/ })
  t.match(await getTicket(h, agent, tk.id), { status: 'pending_customer', contactAttempts: 2 }, 'an undeliverable attempt does not count')
  t.equal((await close()).statusCode, 409)

  h.clock.advance(60_000)
  capture.failNext(451)
  await comment(h, agent, tk.id, { body: 'Attempt 5', awaitingCustomer: true })
  const sent = sentTo(refOf(tk.id)).length
  await deliver()
  t.match(await getTicket(h, agent, tk.id), { contactAttempts: 2 }, 'deferred: not yet counted')
  await deliver()
  t.equal(sentTo(refOf(tk.id)).length, sent, 'nothing sent before the backoff')
  h.clock.advance(10 * 60_000)
  await deliver()
  t.equal(sentTo(refOf(tk.id)).length, sent + 1, 'retried after the backoff')
  t.match(await getTicket(h, agent, tk.id), { contactAttempts: 3 })
  const closed = await close()
  t.equal(closed.statusCode, 200, closed.body)
  await deliver()
  const closing = sentTo(refOf(tk.id)).at(-1)
  t.match(closing?.parsed.subject, 'Ticket closed')
  t.match(closing?.parsed.text, /reopen it within 30 days/)

  const trail = await events(h, agent, tk.id)
  t.match(trail.filter((e) => e.type === 'email.failed'), [{ data: { permanent: true, kind: 'contact_attempt', commentId: bounced.id } }])
  t.equal(trail.filter((e) => e.type === 'email.deferred').length, 1)
  t.equal(trail.filter((e) => e.type === 'ticket.contact_attempt_delivered').length, 4)

  // a reopen decision is emailed too
  const rr = await h.request(cust, { method: 'POST', url: `/v1/tickets/${tk.id}/reopen-requests`, payload: { reason: 'Still broken' } })
  t.equal(rr.statusCode, 201, rr.body)
  const decided = await h.request(agent, { method: 'POST', url: `/v1/reopen-requests/${rr.json().id}/approve`, payload: {} })
  t.equal(decided.statusCode, 200, decided.body)
  await deliver()
  t.match(sentTo(refOf(tk.id)).at(-1)?.parsed.subject, 'Reopen request approved')
})

t.test('auto-replies never create comments or notifications', async (t) => {
  h.clock.set('2026-03-12T09:00:00-07:00')
  const tk = await openTicket(h, cust, { requester: { name: 'Dana Reyes', email: 'dana@acme.example' } })
  await deliver()
  const ackId = sentTo(refOf(tk.id))[0]?.parsed.messageId
  const before = (await comments(tk.id)).length
  const sent = capture.messages.length
  t.match(await sendInto(smtp.port, { from: 'dana@acme.example', to: 'support@desk.example', subject: 'Out of Office: back on Monday', text: 'I am away', inReplyTo: ackId, headers: { 'Auto-Submitted': 'auto-replied' }, dkim: acmeKey }), 'Accepted: ignored')
  t.match(await sendInto(smtp.port, { from: 'dana@acme.example', to: 'support@desk.example', subject: 'Automatic reply: x', text: 'away', inReplyTo: ackId, dkim: acmeKey }), 'Accepted: ignored')
  t.match(await sendInto(smtp.port, { from: 'news@acme.example', to: 'support@desk.example', subject: 'Newsletter', text: 'bulk', headers: { Precedence: 'bulk' }, dkim: acmeKey }), 'Accepted: ignored')
  t.equal((await comments(tk.id)).length, before)
  await deliver()
  t.equal(capture.messages.length, sent, 'no notification')
})

t.test('another organization\'s domain never lands on this organization\'s ticket', async (t) => {
  h.clock.set('2026-03-12T10:00:00-07:00')
  const tk = await openTicket(h, cust, { requester: { name: 'Dana Reyes', email: 'dana@acme.example' } })
  await deliver()
  const ackId = sentTo(refOf(tk.id))[0]?.parsed.messageId
  const res = await sendInto(smtp.port, { from: 'bob@globex.example', to: tk.email.replyAddress, subject: 'Re: yours', text: 'Injected', inReplyTo: ackId, dkim: globexKey })
  t.match(res, 'Accepted: quarantined')
  t.notOk((await comments(tk.id)).some((c) => c.body === 'Injected'))
  const q = (await h.request(agent, { method: 'GET', url: '/v1/inbound-email/quarantine?limit=100' })).json().items
  t.match(q.find((m: { from: string }) => m.from === 'bob@globex.example'), { reason: 'sender-not-on-ticket', authentication: { dkim: 'pass', dmarc: 'pass', dmarcPolicy: 'none' } })
})

t.test('a new message from a registered domain opens an email ticket; severity from the subject; clock from arrival (HTTP route)', async (t) => {
  h.clock.set('2026-03-13T09:30:00-07:00')
  const raw = await rawMessage({ from: 'Dana Reyes <dana@acme.example>', to: 'support@desk.example', subject: '[urgent] Reports stopped', text: 'Nothing since 8am.', dkim: acmeKey, messageId: 'new-1@acme.example' })
  const res = await postRaw(raw)
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { outcome: 'opened_ticket', duplicate: false })
  const tk = await getTicket(h, agent, res.json().ticketId)
  t.match(tk, { organizationId: acme.id, channel: 'email', severity: 'urgent', priority: 'P1', subject: 'Reports stopped', description: 'Nothing since 8am.', requester: { name: 'Dana Reyes', email: 'dana@acme.example' }, createdAt: '2026-03-13T16:30:00.000Z' })
  t.equal(tk.sla.dueAt, '2026-03-13T17:30:00.000Z', 'Enhanced P1: 1 business hour from arrival')
  const again = await postRaw(raw)
  t.match(again.json(), { duplicate: true, ticketId: tk.id }, 'the same Message-ID is processed once')
  await deliver()
  t.match(sentTo(refOf(tk.id))[0]?.parsed.subject, 'We received your request')

  const plain = await postRaw(await rawMessage({ from: 'eve@globex.example', to: 'support@desk.example', subject: 'Question', text: 'How do I add a domain?', messageId: 'new-2@globex.example' }))
  t.match(plain.json(), { outcome: 'opened_ticket' }, 'p=none: DMARC fail is recorded, not enforced')
  t.match(await getTicket(h, agent, plain.json().ticketId), { organizationId: globex.id, severity: 'medium' })

  t.equal((await postRaw(raw, 'sha256=' + '0'.repeat(64))).statusCode, 401)
  t.equal((await postRaw(raw, null)).json().code, 'invalid-inbound-signature')
  const big = Buffer.concat([raw, Buffer.alloc(10 * 1024 * 1024 + 1, 0x61)])
  t.equal((await postRaw(big)).statusCode, 413)
})

t.test('spoofed customer domain and unknown domains are quarantined; agents release or discard', async (t) => {
  h.clock.set('2026-03-13T11:00:00-07:00')
  const spoof = await sendInto(smtp.port, { from: 'ceo@acme.example', to: 'support@desk.example', subject: '[urgent] Wire the refund', text: 'Do it now', envelopeFrom: 'bounce@evil.example' })
  t.match(spoof, 'Accepted: quarantined')
  const unknown = await postRaw(await rawMessage({ from: 'someone@unknown.example', to: 'support@desk.example', subject: 'Hello', text: 'Who are you?', messageId: 'u-1@unknown.example' }))
  t.match(unknown.json(), { outcome: 'quarantined', reason: 'unknown-domain' })

  t.equal((await h.request(cust, { method: 'GET', url: '/v1/inbound-email/quarantine' })).statusCode, 403, 'staff only')
  const list = (await h.request(agent, { method: 'GET', url: '/v1/inbound-email/quarantine?limit=100' })).json().items
  const held = list.find((m: { from: string }) => m.from === 'ceo@acme.example')
  t.match(held, { reason: 'dmarc-fail', subject: '[urgent] Wire the refund', authentication: { dkim: 'none', dmarc: 'fail', dmarcPolicy: 'reject', fromDomain: 'acme.example' } })

  const noOrg = await h.request(agent, { method: 'POST', url: `/v1/inbound-email/quarantine/${unknown.json().id}/release`, payload: {} })
  t.equal(noOrg.statusCode, 422)
  t.equal(noOrg.json().code, 'no-destination')
  const released = await h.request(agent, { method: 'POST', url: `/v1/inbound-email/quarantine/${unknown.json().id}/release`, payload: { organizationId: globex.id } })
  t.equal(released.statusCode, 200, released.body)
  t.match(released.json(), { outcome: 'released' })
  t.match(await getTicket(h, agent, released.json().ticketId), { organizationId: globex.id, channel: 'email' })

  const discarded = await h.request(agent, { method: 'POST', url: `/v1/inbound-email/quarantine/${held.id}/discard` })
  t.equal(discarded.statusCode, 200, discarded.body)
  const twice = await h.request(agent, { method: 'POST', url: `/v1/inbound-email/quarantine/${held.id}/release`, payload: {} })
  t.equal(twice.json().code, 'quarantine-decided')
  const after = (await h.request(agent, { method: 'GET', url: '/v1/inbound-email/quarantine?limit=100' })).json().items
  t.notOk(after.some((m: { id: string }) => m.id === held.id || m.id === unknown.json().id))
})

t.test('DKIM fail under p=reject is quarantined; a registered domain without DMARC policy is accepted with its verdict', async (t) => {
  h.clock.set('2026-03-13T12:00:00-07:00')
  const signed = await rawMessage({ from: 'dana@acme.example', to: 'support@desk.example', subject: 'Altered', text: 'Original body', dkim: acmeKey, messageId: 'alt-1@acme.example' })
  const altered = Buffer.from(signed.toString('latin1').replace('Original body', 'Altered body!'), 'latin1')
  const res = await postRaw(altered)
  t.match(res.json(), { outcome: 'quarantined', reason: 'dmarc-fail' })
  const held = (await h.request(agent, { method: 'GET', url: '/v1/inbound-email/quarantine?limit=100' })).json().items
  // mailauth reports a body-hash mismatch as `neutral` and a signature that does not verify as `fail`
  t.match(held.find((m: { id: string }) => m.id === res.json().id), { authentication: { dkim: 'neutral', dmarc: 'fail', dmarcPolicy: 'reject' } })
  const signed2 = await rawMessage({ from: 'dana@acme.example', to: 'support@desk.example', subject: 'Signed subject', text: 'Body', dkim: acmeKey, messageId: 'alt-2@acme.example' })
  const res2 = await postRaw(Buffer.from(signed2.toString('latin1').replace('Subject: Signed subject', 'Subject: Forged subject'), 'latin1'))
  t.match(res2.json(), { outcome: 'quarantined', reason: 'dmarc-fail' })
  const held2 = (await h.request(agent, { method: 'GET', url: '/v1/inbound-email/quarantine?limit=100' })).json().items
  t.match(held2.find((m: { id: string }) => m.id === res2.json().id), { subject: 'Forged subject', authentication: { dkim: 'fail', dmarc: 'fail' } })

  const initech = await h.createOrg('premier', { emailDomains: ['initech.example'] })
  const opened = await postRaw(await rawMessage({ from: 'peter@initech.example', to: 'support@desk.example', subject: '[low] TPS reports', text: 'Cover sheet?', messageId: 'tps-1@initech.example' }))
  t.match(opened.json(), { outcome: 'opened_ticket' })
  const tk = await getTicket(h, agent, opened.json().ticketId)
  t.match(tk, { organizationId: initech.id, severity: 'low', subject: 'TPS reports' })
  const created = (await events(h, agent, tk.id)).find((e) => e.type === 'ticket.created')
  t.match(created?.data.email, { messageId: 'tps-1@initech.example', authentication: { dmarc: 'none', dmarcPolicy: null, fromDomain: 'initech.example' } })
})
