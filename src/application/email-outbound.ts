/**
 * Outbound email (docs/email.md). A message is rendered and queued in the transaction of the change that causes it
 * (ticket opened, public agent comment, contact attempt, closure, reopen decision), together with an `email-delivery`
 * job of the durable job engine (docs/jobs.md) — the message exists iff the change commits. The job sends it; temporary
 * SMTP failures (4xx, connection errors) are retried by the engine with exponential backoff, permanent ones (5xx, or
 * retries exhausted) are recorded on the outbound message, on the comment and as an `email.failed` event.
 *
 * A contact attempt's email IS the attempt: the comment records the Message-ID and the delivery outcome, and the
 * attempt counts toward the no-response rule only once delivered (src/domain/tickets/conversation.ts).
 */
import { DateTime } from 'luxon'
import { recordDeliveredAttempt } from '../domain/tickets/conversation.js'
import { TICKET_POLICY } from '../domain/policy/policy.js'
import type { CommentEmail, Ticket, TicketComment } from '../domain/tickets/ticket.js'
import { ticketRef } from '../domain/email/addresses.js'
import { iso } from '../domain/time.js'
import type { DbOrTx } from '../db/client.js'
import { recordEvent } from '../db/events.js'
import * as mail from '../db/repositories/email.js'
import { findTicket, updateTicket as saveTicket } from '../db/repositories/tickets.js'
import type { EmailKind, TemplateVars } from '../email/templates.js'
import type { EmailRuntime } from '../email/runtime.js'
import type { AppContext } from './context.js'

export const EMAIL_ACTOR = { id: 'email', role: 'system' as const }

/** the job queue; retries of temporary failures: 6 attempts in all, exponential backoff from 1 minute */
export const EMAIL_QUEUE = 'email-delivery'
export const RETRY_LIMIT = 5
const RETRY_DELAY_SECONDS = 60

export function registerEmailJobs (ctx: AppContext): void {
  ctx.jobs.defineQueue({ name: EMAIL_QUEUE, retryLimit: RETRY_LIMIT, retryDelaySeconds: RETRY_DELAY_SECONDS, retryBackoff: true, expireInSeconds: 120 })
  ctx.jobs.work<{ emailId: string }>(EMAIL_QUEUE, async (job) => { await deliverEmail(ctx, job.data.emailId, job.retryCount) }, { batchSize: 10, concurrency: 2 })
}

export const outboundOn = (ctx: AppContext): ctx is AppContext & { email: EmailRuntime } => ctx.email?.outbound === true

const CLOSED_REASON_TEXT: Record<string, string> = {
  resolved: 'the issue is resolved',
  out_of_scope: 'the request is outside the scope of the support services',
  no_response: 'we did not hear back from you after several attempts to contact you'
}

export const closedReasonText = (reason: string | null): string => CLOSED_REASON_TEXT[reason ?? ''] ?? (reason ?? '')

function dueAtPt (d: Date): string {
  return DateTime.fromJSDate(d).setZone('America/Los_Angeles').toFormat("cccc, LLLL d, yyyy 'at' h:mm a")
}

function targetText (t: Ticket): string {
  const hours = t.sla.targetSeconds / 3600
  const n = Number.isInteger(hours) ? `${hours}` : hours.toFixed(1)
  return t.sla.calendarId === 'always'
    ? `within ${n} hour${hours === 1 ? '' : 's'}, 24/7`
    : `within ${n} business hour${hours === 1 ? '' : 's'} (Mon–Fri 6am–6pm PT${t.sla.calendarId === 'business-hours-with-holidays' ? ', excluding holidays' : ''})`
}

export function ticketVars (email: EmailRuntime, t: Ticket): TemplateVars {
  return {
    ticketId: t.id,
    ticketRef: ticketRef(t.id),
    subject: t.subject,
    requesterName: t.requester.name,
    severity: t.severity,
    priority: t.priority,
    priorityLabel: `${t.priority} (${t.severity})`,
    dueAtPt: dueAtPt(t.sla.dueAt),
    targetText: targetText(t),
    supportName: email.from.name === '' ? 'Support' : email.from.name,
    reopenWindowDays: TICKET_POLICY.reopenWindowDays
  }
}

/**
 * Renders and queues one message to the ticket's requester, in the caller's transaction. `messageId` may be given
 * (a comment records it before the message is queued). Returns undefined when outbound email is off.
 */
export async function queueTicketEmail (ctx: AppContext, tx: DbOrTx, ticket: Ticket, kind: EmailKind, extra: TemplateVars, now: Date, opts: { commentId?: string; messageId?: string } = {}): Promise<mail.OutboundEmailRow | undefined> {
  if (!outboundOn(ctx)) return undefined
  const email = ctx.email
  const rendered = email.templates.render(kind, { ...ticketVars(email, ticket), ...extra })
  const root = await mail.threadRoot(tx, ticket.id)
  const row = await mail.insertOutbound(tx, {
    organizationId: ticket.organizationId,
    ticketId: ticket.id,
    commentId: opts.commentId ?? null,
    kind,
    toAddress: ticket.requester.email,
    subject: rendered.subject,
    textBody: rendered.text,
    htmlBody: rendered.html,
    messageId: opts.messageId ?? email.newMessageId(),
    inReplyTo: root ?? null,
    status: 'queued',
    attempts: 0,
    createdAt: now
  })
  await ctx.jobs.send(tx, EMAIL_QUEUE, { emailId: row.id }, { startAfter: now })
  return row
}

/** the email a new public staff comment gets (recorded on the comment), or null when it is not emailed */
export function commentEmailFor (ctx: AppContext, comment: { visibility: string; staff: boolean }): CommentEmail | null {
  if (!outboundOn(ctx) || comment.visibility !== 'public' || !comment.staff) return null
  return { direction: 'outbound', messageId: ctx.email.newMessageId(), delivery: 'queued', deliveredAt: null, error: null }
}

export async function queueCommentEmail (ctx: AppContext, tx: DbOrTx, ticket: Ticket, comment: TicketComment, now: Date): Promise<void> {
  if (comment.email === null || comment.email === undefined || comment.email.direction !== 'outbound') return
  await queueTicketEmail(ctx, tx, ticket, comment.awaitingCustomer ? 'contact_attempt' : 'agent_comment', {
    commentBody: comment.body, authorName: comment.author.id
  }, now, { commentId: comment.id, messageId: comment.email.messageId })
}

interface SendFailure { permanent: boolean; message: string }

/** 5xx SMTP replies are permanent; everything else (4xx, connection and timeout errors) is worth retrying */
export function classifySendError (err: unknown): SendFailure {
  const e = err as { responseCode?: number; code?: string; message?: string; response?: string }
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600
  const message = (e.response ?? e.message ?? String(err)).slice(0, 500)
  return { permanent, message: e.responseCode === undefined ? `${e.code ?? 'error'}: ${message}` : message }
}

/**
 * The `email-delivery` job: sends one queued message. Idempotent in effect: a message no longer queued is left alone
 * (a job retried after its process died mid-send may send it twice; its Message-ID is the same, so mail clients
 * collapse the copy). Throws on a temporary failure so that the engine retries it with backoff.
 */
export async function deliverEmail (ctx: AppContext, emailId: string, retryCount: number): Promise<void> {
  if (!outboundOn(ctx)) return
  const email = ctx.email
  const row = await mail.findOutbound(ctx.database.db, emailId)
  if (row === undefined || row.status !== 'queued') return
  const transport = email.transport
  let failure: SendFailure | undefined
  try {
    if (transport === undefined) throw new Error('no SMTP transport')
    await transport.sendMail({
      from: { name: email.from.name, address: email.from.address },
      to: row.toAddress,
      replyTo: email.replyAddressFor(row.ticketId),
      subject: row.subject,
      text: row.textBody,
      html: row.htmlBody,
      messageId: `<${row.messageId}>`,
      ...(row.inReplyTo === null ? {} : { inReplyTo: `<${row.inReplyTo}>`, references: [`<${row.inReplyTo}>`] }),
      headers: {
        'X-Support-Ticket': ticketRef(row.ticketId),
        ...(row.kind === 'agent_comment' || row.kind === 'contact_attempt' ? {} : { 'Auto-Submitted': 'auto-generated' })
      }
    })
  } catch (err) {
    failure = classifySendError(err)
  }
  const now = ctx.now()
  const attempts = row.attempts + 1
  const retry = failure !== undefined && !failure.permanent && retryCount < RETRY_LIMIT
  await ctx.transaction(async (tx) => {
    if (failure === undefined) {
      await mail.updateOutbound(tx, row.id, { status: 'sent', attempts, sentAt: now, lastError: null })
      await emailEvent(tx, row, 'email.sent', now, { attempts })
      if (row.commentId !== null) {
        await mail.setCommentEmail(tx, row.commentId, { direction: 'outbound', messageId: row.messageId, delivery: 'sent', deliveredAt: iso(now), error: null })
        if (row.kind === 'contact_attempt') await countDeliveredAttempt(tx, row, now)
      }
      return
    }
    if (retry) {
      await mail.updateOutbound(tx, row.id, { attempts, lastError: failure.message })
      await emailEvent(tx, row, 'email.deferred', now, { attempts, error: failure.message })
      return
    }
    await mail.updateOutbound(tx, row.id, { status: 'failed', attempts, lastError: failure.message })
    await emailEvent(tx, row, 'email.failed', now, { attempts, error: failure.message, permanent: failure.permanent })
    if (row.commentId !== null) {
      await mail.setCommentEmail(tx, row.commentId, { direction: 'outbound', messageId: row.messageId, delivery: 'failed', deliveredAt: null, error: failure.message })
    }
  })
  if (retry) throw new Error(`temporary SMTP failure, retried with backoff: ${failure?.message ?? ''}`)
}

async function emailEvent (tx: DbOrTx, row: mail.OutboundEmailRow, type: string, now: Date, data: Record<string, unknown>): Promise<void> {
  await recordEvent(tx, {
    type, organizationId: row.organizationId, resourceType: 'email', resourceId: row.id, ticketId: row.ticketId,
    actor: EMAIL_ACTOR, occurredAt: now,
    data: { ticketId: row.ticketId, emailId: row.id, kind: row.kind, to: row.toAddress, subject: row.subject, messageId: row.messageId, commentId: row.commentId, ...data }
  })
}

/** a delivered contact attempt now counts, unless the customer answered after it was made or the ticket moved on */
async function countDeliveredAttempt (tx: DbOrTx, row: mail.OutboundEmailRow, now: Date): Promise<void> {
  if (row.commentId === null) return
  const ticket = await findTicket(tx, row.ticketId, { forUpdate: true })
  const madeAt = await mail.commentCreatedAt(tx, row.commentId)
  if (ticket === undefined || madeAt === undefined) return
  const next = recordDeliveredAttempt(ticket, await mail.customerCommentSince(tx, ticket.id, madeAt))
  if (next === undefined) return
  const saved = await saveTicket(tx, next, ticket.version, now)
  if (saved === undefined) throw new Error('ticket changed under its row lock')
  await recordEvent(tx, {
    type: 'ticket.contact_attempt_delivered', organizationId: saved.organizationId, resourceType: 'ticket', resourceId: saved.id,
    resourceVersion: saved.version, ticketId: saved.id, actor: EMAIL_ACTOR, occurredAt: now,
    data: { ticketId: saved.id, commentId: row.commentId, emailId: row.id, before: { contactAttempts: ticket.contactAttempts }, after: { contactAttempts: saved.contactAttempts } }
  })
}
