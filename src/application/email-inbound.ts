/**
 * Inbound email (docs/email.md): one use case for the SMTP listener and POST /v1/inbound-email.
 *
 * 1. Over the size limit → refused. A Message-ID seen before → the earlier result, nothing done twice.
 * 2. Auto-replies, bulk mail and loops → recorded as `ignored`: never a comment, a ticket or a notification.
 * 3. SPF, DKIM and DMARC are checked (mailauth, injectable resolver). DMARC fail for a domain publishing p=reject or
 *    p=quarantine → quarantine.
 * 4. A reply (In-Reply-To/References naming a message of a ticket, or a signed support+<token>@ recipient) from the
 *    ticket's requester or a registered domain of the ticket's organization → a public comment by the requester
 *    (answers contact attempts like any customer comment). Any other sender → quarantine: another organization's
 *    domain never lands on this organization's ticket.
 * 5. A new message from a registered domain → a ticket on the `email` channel (severity from a subject tag, default
 *    medium; the first-response clock starts at arrival). Unknown domain → quarantine.
 * The verdict is recorded on every comment and ticket that came by email and on every received message.
 */
// mailparser and mailauth (~40 MB of a replica's memory) are loaded when the first message arrives (docs/performance.md)
import type { AddressObject, ParsedMail } from 'mailparser'
import type { Principal } from '../domain/access.js'
import { actorOf, requireRole } from '../domain/access.js'
import { DomainError } from '../domain/errors.js'
import { domainOf, messageIdsIn, ticketFromAddresses, type MailAddress } from '../domain/email/addresses.js'
import { autoReplyReason, failsEnforcedDmarc, replyText, severityFromSubject, type AuthVerdict, type HeaderMap } from '../domain/email/inbound.js'
import { iso } from '../domain/time.js'
import type { DbOrTx } from '../db/client.js'
import { recordEvent } from '../db/events.js'
import * as mail from '../db/repositories/email.js'

export type { InboundEmailRow } from '../db/repositories/email.js'
import { findOrganization } from '../db/repositories/organizations.js'
import { findTicket } from '../db/repositories/tickets.js'
import type { EmailRuntime } from '../email/runtime.js'
import type { AppContext } from './context.js'
import { EMAIL_ACTOR, queueTicketEmail } from './email-outbound.js'
import { addCommentIn } from './ticket-comments.js'
import { insertNewTicket, ticketEvent, ticketSnapshot } from './tickets.js'
import { pageOf, type Page } from './page.js'

export interface InboundEnvelope {
  /** the SMTP client's address (SMTP listener); absent for the HTTP route, which trusts the provider's Received header */
  remoteAddress?: string
  helo?: string
  mailFrom?: string
  rcptTo?: string[]
  via: 'smtp' | 'http'
}

export type InboundOutcome = 'commented' | 'opened_ticket' | 'ignored' | 'quarantined' | 'released' | 'discarded'

export interface InboundResult {
  id: string
  outcome: InboundOutcome
  reason: string | null
  ticketId: string | null
  commentId: string | null
  duplicate: boolean
}

interface Message {
  from: MailAddress
  messageId: string | null
  subject: string
  text: string
  headers: HeaderMap
  recipients: string[]
  threadIds: string[]
}

const NO_VERDICT: AuthVerdict = { spf: 'none', dkim: 'none', dmarc: 'none', dmarcPolicy: null, fromDomain: '' }

export function requireEmail (ctx: AppContext): EmailRuntime {
  if (ctx.email === undefined) throw new DomainError('inbound-email-off', 'Inbound email is off: set MAIL_FROM, EMAIL_TOKEN_SECRET and INBOUND_SMTP_PORT or INBOUND_EMAIL_SECRET')
  return ctx.email
}

const addressesOf = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (a === undefined ? [] : Array.isArray(a) ? a : [a]).flatMap((o) => o.value).map((v) => (v.address ?? '').toLowerCase()).filter((s) => s !== '')

function headerText (v: unknown): string {
  if (typeof v === 'string') return v
  if (v instanceof Date) return v.toISOString()
  if (v !== null && typeof v === 'object' && 'value' in v) return String((v as { value: unknown }).value)
  return String(v)
}

async function parse (raw: Buffer, env: InboundEnvelope): Promise<Message> {
  const { simpleParser } = await import('mailparser')
  const parsed: ParsedMail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true })
  const sender = parsed.from?.value[0]
  const headers: HeaderMap = new Map()
  for (const [k, v] of parsed.headers) headers.set(k.toLowerCase(), headerText(v))
  const strip = (id: string | undefined): string | null => id === undefined ? null : (messageIdsIn(id)[0] ?? id.trim())
  return {
    from: { name: sender?.name ?? '', address: (sender?.address ?? '').toLowerCase() },
    messageId: strip(parsed.messageId),
    subject: (parsed.subject ?? '').trim(),
    text: (parsed.text ?? '').trim(),
    headers,
    recipients: [...new Set([...(env.rcptTo ?? []).map((r) => r.toLowerCase()), ...addressesOf(parsed.to), ...addressesOf(parsed.cc)])],
    threadIds: [...messageIdsIn(parsed.inReplyTo), ...messageIdsIn(parsed.references)]
  }
}

export async function checkAuthentication (email: EmailRuntime, raw: Buffer, env: InboundEnvelope, fromDomain: string): Promise<AuthVerdict> {
  const { authenticate } = await import('mailauth')
  const res = await authenticate(raw, {
    ip: env.remoteAddress,
    helo: env.helo,
    sender: env.mailFrom,
    trustReceived: env.remoteAddress === undefined,
    mta: email.supportDomain,
    resolver: email.resolver,
    disableArc: true,
    disableBimi: true
  })
  const dkims = res.dkim?.results ?? []
  const dkim = dkims.some((d) => d.status.result === 'pass') ? 'pass' : (dkims[0]?.status.result ?? 'none')
  const dmarc = res.dmarc === false || res.dmarc === undefined ? undefined : res.dmarc
  return {
    spf: res.spf === false || res.spf === undefined ? 'none' : res.spf.status.result,
    dkim,
    dmarc: dmarc?.status.result ?? 'none',
    dmarcPolicy: dmarc?.p !== undefined && dmarc.p !== '' ? dmarc.p : null,
    fromDomain
  }
}

/** the message as received over SMTP or HTTP */
export async function receiveEmail (ctx: AppContext, raw: Buffer, env: InboundEnvelope): Promise<InboundResult> {
  const email = requireEmail(ctx)
  if (raw.length > email.maxMessageBytes) {
    throw new DomainError('payload-too-large', `Messages over ${email.maxMessageBytes} bytes are not accepted`, { limitBytes: email.maxMessageBytes })
  }
  const msg = await parse(raw, env)
  if (msg.messageId !== null) {
    const seen = await mail.findInboundByMessageId(ctx.database.db, msg.messageId)
    if (seen !== undefined) return resultOf(seen, true)
  }
  const now = ctx.now()
  const base = { messageId: msg.messageId, fromAddress: msg.from.address.slice(0, 320), subject: msg.subject.slice(0, 998), sizeBytes: raw.length, receivedAt: now }
  const auto = msg.from.address === '' ? 'no From address' : autoReplyReason(msg.headers, msg.subject, msg.from.address, email.supportDomain)
  if (auto !== undefined) {
    return await record(ctx, { ...base, outcome: 'ignored', reason: auto, verdict: { ...NO_VERDICT } }, now)
  }
  const verdict = await checkAuthentication(email, raw, env, domainOf(msg.from.address))
  if (failsEnforcedDmarc(verdict)) {
    return await quarantine(ctx, base, raw, verdict, 'dmarc-fail', now)
  }
  try {
    return await ctx.transaction(async (tx) => {
      const filed = await file(ctx, email, tx, msg, verdict, now, {})
      if ('quarantine' in filed) throw new Quarantine(filed.quarantine)
      const row = await mail.insertInbound(tx, { ...base, outcome: filed.outcome, reason: null, verdict: { ...verdict }, organizationId: filed.organizationId, ticketId: filed.ticketId, commentId: filed.commentId })
      await receivedEvent(tx, row, now)
      return resultOf(row, false)
    })
  } catch (err) {
    // the same message delivered twice at once: the unique Message-ID lets one through; the other answers as a duplicate
    if ((err as { code?: string }).code === '23505' && msg.messageId !== null) {
      const seen = await mail.findInboundByMessageId(ctx.database.db, msg.messageId)
      if (seen !== undefined) return resultOf(seen, true)
    }
    if (err instanceof Quarantine) return await quarantine(ctx, base, raw, verdict, err.reason, now)
    if (err instanceof DomainError && err.status < 500) return await quarantine(ctx, base, raw, verdict, err.code, now)
    throw err
  }
}

class Quarantine extends Error {
  constructor (readonly reason: string) { super(reason) }
}

type Filed = { outcome: 'commented' | 'opened_ticket'; organizationId: string; ticketId: string; commentId: string | null } | { quarantine: string }

/** files a message on its ticket or opens one; `organizationId` (release) names the organization of a new ticket */
async function file (ctx: AppContext, email: EmailRuntime, tx: DbOrTx, msg: Message, verdict: AuthVerdict, now: Date, opts: { organizationId?: string }): Promise<Filed> {
  const from = msg.from.address
  const ticketId = await mail.ticketByMessageIds(tx, msg.threadIds) ??
    ticketFromAddresses(email.tokenSecret, email.from.address, msg.recipients)
  const ticket = ticketId === undefined ? undefined : await findTicket(tx, ticketId)
  if (ticket !== undefined) {
    const org = await findOrganization(tx, ticket.organizationId)
    const allowed = from === ticket.requester.email.toLowerCase() || (org?.emailDomains ?? []).includes(domainOf(from))
    if (!allowed) return { quarantine: 'sender-not-on-ticket' }
    if (ticket.status === 'closed') return { quarantine: 'ticket-closed' }
    const p: Principal = { subject: `email:${from}`, roles: ['customer'], orgId: ticket.organizationId }
    const body = replyText(msg.text).slice(0, 20000)
    const comment = await addCommentIn(ctx, tx, p, ticket.id, {
      body: body === '' ? '(empty message)' : body,
      visibility: 'public',
      email: { direction: 'inbound', messageId: msg.messageId ?? '', authentication: verdict }
    }, undefined, now)
    return { outcome: 'commented', organizationId: ticket.organizationId, ticketId: ticket.id, commentId: comment.id }
  }
  const organizationId = opts.organizationId ?? await mail.organizationByDomain(tx, domainOf(from))
  if (organizationId === undefined) return { quarantine: 'unknown-domain' }
  const { severity, subject } = severityFromSubject(msg.subject)
  const p: Principal = { subject: `email:${from}`, roles: ['customer'], orgId: organizationId }
  const { ticket: opened } = await insertNewTicket(ctx, tx, p, organizationId, {
    subject: (subject === '' ? '(no subject)' : subject).slice(0, 200),
    description: (msg.text === '' ? '(empty message)' : msg.text).slice(0, 20000),
    severity,
    channel: 'email',
    requester: { name: (msg.from.name === '' ? from : msg.from.name).slice(0, 200), email: from },
    category: null
  }, now, (ticket) => ticketEvent(p, ticket, 'ticket.created', now, { after: ticketSnapshot(ticket), email: { messageId: msg.messageId, authentication: verdict } }))
  await queueTicketEmail(ctx, tx, opened, 'acknowledgement', {}, now)
  return { outcome: 'opened_ticket', organizationId, ticketId: opened.id, commentId: null }
}

async function record (ctx: AppContext, row: Parameters<typeof mail.insertInbound>[1], now: Date): Promise<InboundResult> {
  return await ctx.transaction(async (tx) => {
    const saved = await mail.insertInbound(tx, row)
    await receivedEvent(tx, saved, now)
    return resultOf(saved, false)
  })
}

async function quarantine (ctx: AppContext, base: Omit<Parameters<typeof mail.insertInbound>[1], 'outcome' | 'verdict'>, raw: Buffer, verdict: AuthVerdict, reason: string, now: Date): Promise<InboundResult> {
  return await record(ctx, { ...base, outcome: 'quarantined', reason, verdict: { ...verdict }, raw: raw.toString('base64') }, now)
}

async function receivedEvent (tx: DbOrTx, row: mail.InboundEmailRow, now: Date, type = 'email.received', actor: { id: string; role: 'customer' | 'agent' | 'admin' | 'system' } = EMAIL_ACTOR): Promise<void> {
  await recordEvent(tx, {
    type, organizationId: row.organizationId, resourceType: 'inbound_email', resourceId: row.id, ticketId: row.ticketId,
    actor, occurredAt: now,
    data: { inboundEmailId: row.id, outcome: row.outcome, reason: row.reason, from: row.fromAddress, subject: row.subject, messageId: row.messageId, verdict: row.verdict, ticketId: row.ticketId, commentId: row.commentId, receivedAt: iso(row.receivedAt) }
  })
}

const resultOf = (r: mail.InboundEmailRow, duplicate: boolean): InboundResult => ({
  id: r.id, outcome: r.outcome as InboundOutcome, reason: r.reason, ticketId: r.ticketId, commentId: r.commentId, duplicate
})

// quarantine (staff) ------------------------------------------------------------------------------------------------

export async function listQuarantine (ctx: AppContext, p: Principal, page: { limit: number; after?: { receivedAt: Date; id: string } }): Promise<Page<mail.InboundEmailRow>> {
  requireRole(p, 'agent', 'admin')
  if (p.orgId !== null) throw new DomainError('forbidden', 'The quarantine spans organizations: use an unscoped staff token')
  const rows = await mail.listQuarantine(ctx.database.db, { limit: page.limit + 1, after: page.after })
  return pageOf(rows, page.limit)
}

async function loadQuarantined (tx: DbOrTx, p: Principal, id: string): Promise<mail.InboundEmailRow> {
  requireRole(p, 'agent', 'admin')
  if (p.orgId !== null) throw new DomainError('forbidden', 'The quarantine spans organizations: use an unscoped staff token')
  const row = await mail.findInbound(tx, id, { forUpdate: true })
  if (row === undefined || !['quarantined', 'released', 'discarded'].includes(row.outcome)) throw new DomainError('not-found', 'Quarantined message not found')
  if (row.outcome !== 'quarantined') throw new DomainError('quarantine-decided', `The message was already ${row.outcome}`, { outcome: row.outcome })
  return row
}

/** an agent vouches for the message: it is filed as if it had passed (on its ticket, or as a new ticket) */
export async function releaseQuarantined (ctx: AppContext, p: Principal, id: string, input: { organizationId?: string }): Promise<InboundResult> {
  const email = requireEmail(ctx)
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const row = await loadQuarantined(tx, p, id)
    const raw = Buffer.from(row.raw ?? '', 'base64')
    const msg = await parse(raw, { via: 'http' })
    const filed = await file(ctx, email, tx, msg, row.verdict as unknown as AuthVerdict, now, { organizationId: input.organizationId })
    if ('quarantine' in filed) {
      if (filed.quarantine === 'unknown-domain') throw new DomainError('no-destination', 'The message matches no ticket and its domain is not registered: give organizationId')
      throw new DomainError('conflict', `The message cannot be filed: ${filed.quarantine}`, { reason: filed.quarantine })
    }
    const saved = await mail.updateInbound(tx, row.id, { outcome: 'released', organizationId: filed.organizationId, ticketId: filed.ticketId, commentId: filed.commentId, raw: null, decidedAt: now, decidedById: p.subject })
    if (saved === undefined) throw new Error('inbound row vanished under its lock')
    await receivedEvent(tx, saved, now, 'email.released', actorOf(p))
    return resultOf(saved, false)
  })
}

export async function discardQuarantined (ctx: AppContext, p: Principal, id: string): Promise<InboundResult> {
  requireEmail(ctx)
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const row = await loadQuarantined(tx, p, id)
    const saved = await mail.updateInbound(tx, row.id, { outcome: 'discarded', raw: null, decidedAt: now, decidedById: p.subject })
    if (saved === undefined) throw new Error('inbound row vanished under its lock')
    await receivedEvent(tx, saved, now, 'email.discarded', actorOf(p))
    return resultOf(saved, false)
  })
}
