import t from 'tap'
import fc from 'fast-check'
import { parseMailbox, replyAddress, replyToken, ticketFromAddresses, ticketRef, verifyReplyToken, messageIdsIn } from '../../../src/domain/email/addresses.js'
import { autoReplyReason, failsEnforcedDmarc, replyText, severityFromSubject } from '../../../src/domain/email/inbound.js'
import { applyComment, recordDeliveredAttempt } from '../../../src/domain/tickets/conversation.js'
import { closeTicket } from '../../../src/domain/tickets/closing.js'
import { EmailTemplates } from '../../../src/email/templates.js'
import { DomainError } from '../../../src/domain/errors.js'
import { newTicket } from '../tickets/fixtures.js'

const KEY = 'k'.repeat(32)

t.test('reply tokens: every ticket id round-trips; any other token or key is refused', async (t) => {
  fc.assert(fc.property(fc.uuid(), (id) => verifyReplyToken(KEY, replyToken(KEY, id)) === id))
  fc.assert(fc.property(fc.uuid(), fc.integer({ min: 0, max: 47 }), (id, i) => {
    const tok = replyToken(KEY, id)
    const flipped = tok.slice(0, i) + (tok[i] === '0' ? '1' : '0') + tok.slice(i + 1)
    return verifyReplyToken(KEY, flipped) === undefined
  }))
  const id = '9b2d7c1e-4a5f-4e8b-9c3d-2f1a0b9e8d7c'
  t.equal(verifyReplyToken('another-key-another-key-another-key', replyToken(KEY, id)), undefined)
  t.equal(verifyReplyToken(KEY, 'not-a-token'), undefined)
  const addr = replyAddress('support@desk.example', replyToken(KEY, id))
  t.match(addr, /^support\+[0-9a-f]{48}@desk\.example$/)
  t.equal(ticketFromAddresses(KEY, 'support@desk.example', ['someone@else.example', addr.toUpperCase()]), id)
  t.equal(ticketFromAddresses(KEY, 'support@desk.example', [addr.replace('desk.example', 'evil.example')]), undefined)
  t.equal(ticketRef(id), 'SD-9B2D7C1E')
  t.same(parseMailbox('Acme Support <Support@Desk.Example>'), { name: 'Acme Support', address: 'support@desk.example' })
  t.same(parseMailbox('support@desk.example'), { name: '', address: 'support@desk.example' })
  t.same(messageIdsIn('<a@x> <b@y>'), ['a@x', 'b@y'])
})

t.test('severity from the subject: documented tags, default medium', async (t) => {
  t.same(severityFromSubject('[urgent] Down'), { severity: 'urgent', subject: 'Down' })
  t.same(severityFromSubject('[P3] question'), { severity: 'low', subject: 'question' })
  t.same(severityFromSubject('[High]  Slow'), { severity: 'high', subject: 'Slow' })
  t.same(severityFromSubject('Urgent: down'), { severity: 'medium', subject: 'Urgent: down' }, 'only a leading bracketed tag counts')
})

t.test('auto-replies and loops', async (t) => {
  const h = (o: Record<string, string>) => new Map(Object.entries(o))
  t.equal(autoReplyReason(h({ 'auto-submitted': 'auto-replied' }), 'x', 'a@b.example', 'desk.example'), 'auto-submitted: auto-replied')
  t.equal(autoReplyReason(h({ 'auto-submitted': 'no' }), 'x', 'a@b.example', 'desk.example'), undefined)
  t.equal(autoReplyReason(h({ precedence: 'bulk' }), 'x', 'a@b.example', 'desk.example'), 'precedence: bulk')
  t.equal(autoReplyReason(h({}), 'Out of Office: back Monday', 'a@b.example', 'desk.example'), 'out-of-office subject')
  t.equal(autoReplyReason(h({}), 'x', 'MAILER-DAEMON@b.example', 'desk.example'), 'delivery status notification')
  t.equal(autoReplyReason(h({}), 'x', 'support@desk.example', 'desk.example'), 'loop: from the support domain')
  t.equal(autoReplyReason(h({}), 'Re: our office move', 'a@b.example', 'desk.example'), undefined)
})

t.test('DMARC enforcement and quoted history', async (t) => {
  const v = { spf: 'fail', dkim: 'none', dmarc: 'fail', fromDomain: 'acme.example' }
  t.equal(failsEnforcedDmarc({ ...v, dmarcPolicy: 'reject' }), true)
  t.equal(failsEnforcedDmarc({ ...v, dmarcPolicy: 'quarantine' }), true)
  t.equal(failsEnforcedDmarc({ ...v, dmarcPolicy: 'none' }), false)
  t.equal(failsEnforcedDmarc({ ...v, dmarcPolicy: null }), false)
  t.equal(failsEnforcedDmarc({ ...v, dmarc: 'pass', dmarcPolicy: 'reject' }), false)
  t.equal(replyText('Thanks!\n\nOn Mon, 9 Mar 2026 Support wrote:\n> old'), 'Thanks!')
  t.equal(replyText('> only quoted'), '> only quoted')
})

t.test('contact attempts counted on delivery: pending at once, counted when delivered, not after an answer', async (t) => {
  const now = new Date('2026-03-09T17:00:00Z')
  const agent = { id: 'a', role: 'agent' as const }
  const open = newTicket('enhanced', 'high', now)
  const e = applyComment(open, { author: agent, visibility: 'public', awaitingCustomer: true }, now, { countAttemptOnDelivery: true })
  t.match(e.ticket, { status: 'pending_customer', contactAttempts: 0 })
  t.equal(e.contactAttempt, true)
  const counted = recordDeliveredAttempt(e.ticket, false)
  t.equal(counted?.contactAttempts, 1)
  t.equal(recordDeliveredAttempt(e.ticket, true), undefined, 'answered since: not counted')
  t.equal(recordDeliveredAttempt(open, false), undefined, 'open ticket: nothing to count')
  const three = { ...e.ticket, contactAttempts: 2 }
  t.throws(() => closeTicket(three, { reason: 'no_response', actor: agent }, now), DomainError)
})

t.test('templates: every kind renders; values are HTML-escaped in HTML only; sections', async (t) => {
  const tpl = new EmailTemplates('templates/email')
  const r = tpl.render('closed', { ticketRef: 'SD-1', subject: 'a <b>', requesterName: 'Dana <b>', closedReasonText: 'resolved', closeNote: '', noResponse: true, reopenWindowDays: 30, ticketId: 'x', supportName: 'S' })
  t.equal(r.subject, '[SD-1] Ticket closed: a <b>')
  t.match(r.text, 'within 30 days')
  t.notMatch(r.text, 'Note from support')
  t.match(r.html, 'Hello Dana &lt;b&gt;,')
  t.match(r.text, 'Hello Dana <b>,')
  for (const kind of ['acknowledgement', 'agent_comment', 'contact_attempt', 'closed', 'reopen_decided'] as const) {
    t.ok(tpl.render(kind, { ticketRef: 'SD-1' }).subject.startsWith('[SD-1]'), `${kind}: subject carries the ticket reference`)
  }
})
