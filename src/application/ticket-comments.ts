import { randomUUID } from 'node:crypto'
/**
 * The conversation: comments, the first response and contact attempts (rules in src/domain/tickets/conversation.ts).
 */
import { actorOf, isStaff, orgScope, type Principal } from '../domain/access.js'
import { DomainError, notFound } from '../domain/errors.js'
import { applyComment } from '../domain/tickets/conversation.js'
import type { CommentVisibility, Ticket, TicketComment } from '../domain/tickets/ticket.js'
import { recordEvent, type NewEvent } from '../db/events.js'
import * as comments from '../db/repositories/ticket-comments.js'
import { bumpTicketVersion, updateTicketAtVersion } from '../db/repositories/tickets.js'
import type { AppContext } from './context.js'
import { recordArticleLinks } from './kb-access.js'
import { loadTicket, recordTicketEvent } from './tickets.js'
import { assertSubscriptionFor, checkVersion, staleWrite } from './guards.js'
import { iso } from '../domain/time.js'
import type { DbOrTx } from '../db/client.js'
import { commentEmailFor, outboundOn, queueCommentEmail } from './email-outbound.js'
import { isStaffActor, type CommentEmail } from '../domain/tickets/ticket.js'
import { attachUploads } from './attachments.js'
import { scheduleSlaTimers } from './sla-timers.js'
import { pageOf, type Page } from './page.js'

export interface AddCommentInput {
  body: string
  visibility: CommentVisibility
  awaitingCustomer?: boolean
  /** the comment came in by email (src/application/email-inbound.ts) */
  email?: CommentEmail
  /** knowledge-base articles the comment links (agents and admins) */
  articleIds?: string[]
  /** uploads to attach (issue 19) */
  attachmentIds?: readonly string[]
}

/** the stored comment (the ticket's new state and SLA view are not returned: no caller shows them) */
export async function addComment (ctx: AppContext, p: Principal, ticketId: string, input: AddCommentInput, expectedVersion: number | undefined): Promise<TicketComment> {
  const now = ctx.now()
  return await ctx.transaction(async (tx) => await addCommentIn(ctx, tx, p, ticketId, input, expectedVersion, now))
}

/** addComment inside the caller's transaction */
export async function addCommentIn (ctx: AppContext, tx: DbOrTx, p: Principal, ticketId: string, input: AddCommentInput, expectedVersion: number | undefined, now: Date): Promise<TicketComment> {
  // every comment moves the ticket on (version and updatedAt): moving it is also what locks it, in one statement (issue
  // 15). `current` is the ticket as it was; a refusal below rolls the move back with the transaction
  const scope = orgScope(p)
  const moved = scope === undefined ? undefined : await bumpTicketVersion(tx, ticketId, scope, now)
  if (moved === undefined) throw notFound('Ticket')
  const current: Ticket = { ...moved, version: moved.version - 1 }
  checkVersion('ticket', expectedVersion, current.version)
  await assertSubscriptionFor(tx, p, 'comment', current.organizationId, now)
  const author = actorOf(p)
  const linksArticles = input.articleIds !== undefined && input.articleIds.length > 0
  if (linksArticles && !isStaff(p)) throw new DomainError('field-not-allowed', 'Only agents and admins link knowledge-base articles in comments', { field: 'articleIds' })
  // with email on, a contact attempt counts once its email is delivered (src/application/email-outbound.ts)
  const effects = applyComment(current, { author, visibility: input.visibility, awaitingCustomer: input.awaitingCustomer ?? false }, now, { countAttemptOnDelivery: outboundOn(ctx) })
  const comment: TicketComment = {
    id: randomUUID(),
    ticketId: current.id,
    organizationId: current.organizationId,
    body: input.body,
    visibility: input.visibility,
    awaitingCustomer: input.awaitingCustomer ?? false,
    firstResponse: effects.firstResponse,
    slaCycle: current.sla.cycle,
    author,
    email: input.email ?? commentEmailFor(ctx, { visibility: input.visibility, staff: isStaffActor(author) }),
    createdAt: now
  }
  // the row is locked at its new version, so the update below succeeds and stores exactly `saved`: the statements that
  // only need the new state go out together, in one round trip (issue 15)
  const saved: Ticket = { ...effects.ticket, version: moved.version, updatedAt: now }
  const added: NewEvent = {
    type: 'ticket.comment_added', organizationId: saved.organizationId, resourceType: 'comment', resourceId: comment.id,
    resourceVersion: 1, ticketId: saved.id, visibility: comment.visibility, actor: author, occurredAt: now,
    data: {
      ticketId: saved.id,
      ticketVersion: saved.version,
      comment: { id: comment.id, body: comment.body, visibility: comment.visibility, awaitingCustomer: comment.awaitingCustomer, firstResponse: comment.firstResponse }
    }
  }
  // links and uploads read before they write and their events come before the comment's (feed order), so the comment's
  // event waits for them; otherwise it is written with the comment, in one statement
  const hasUploads = input.attachmentIds !== undefined && input.attachmentIds.length > 0
  const attaches = linksArticles || hasUploads
  const writes = Promise.all([
    attaches ? comments.insertComment(tx, comment) : comments.insertCommentWithEvent(tx, comment, added),
    // most comments change none of the ticket's own fields (applyComment returns the same ticket): the move above was
    // the whole write then. The comment's text goes into the search documents with its insert (migration 0016)
    effects.ticket === current ? saved : updateTicketAtVersion(tx, effects.ticket, moved.version, now),
    scheduleSlaTimers(ctx, tx, current, saved)
  ])
  const events: Array<Promise<void>> = []
  if (attaches) {
    await writes
    if (linksArticles) await recordArticleLinks(ctx, tx, p, { kind: 'comment', articleIds: input.articleIds ?? [], ticketId: saved.id, commentId: comment.id, organizationId: saved.organizationId, now, visibility: comment.visibility })
    await attachUploads(ctx, tx, p, input.attachmentIds, { organizationId: saved.organizationId, ticketId: saved.id, commentId: comment.id, visibility: comment.visibility, now })
    events.push(recordEvent(tx, added))
  }
  if (effects.firstResponse) {
    events.push(recordTicketEvent(tx, p, saved, 'ticket.first_responded', now, {
      commentId: comment.id, cycle: saved.sla.cycle, firstRespondedAt: iso(now), dueAt: iso(saved.sla.dueAt),
      result: now.getTime() <= saved.sla.dueAt.getTime() ? 'met' : 'breached'
    }))
  }
  if (effects.contactAttempt || effects.answeredContactAttempts) {
    events.push(recordTicketEvent(tx, p, saved, effects.contactAttempt ? 'ticket.contact_attempted' : 'ticket.contact_answered', now, {
      commentId: comment.id,
      before: { status: current.status, contactAttempts: current.contactAttempts },
      after: { status: saved.status, contactAttempts: saved.contactAttempts },
      ...(effects.contactAttempt && outboundOn(ctx) ? { countsWhenDelivered: true } : {})
    }))
  }
  const [[stored, updated]] = await Promise.all([writes, ...events])
  if (updated === undefined) throw staleWrite('ticket')
  await queueCommentEmail(ctx, tx, updated, stored, now)
  return stored
}

export async function listComments (ctx: AppContext, p: Principal, ticketId: string, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<Page<TicketComment>> {
  const db = ctx.database.db
  await loadTicket(db, p, ticketId)
  const rows = await comments.listComments(db, ticketId, { publicOnly: !isStaff(p), limit: page.limit + 1, after: page.after })
  return pageOf(rows, page.limit)
}

export async function getComment (ctx: AppContext, p: Principal, ticketId: string, commentId: string): Promise<TicketComment> {
  const db = ctx.database.db
  await loadTicket(db, p, ticketId)
  const comment = await comments.findComment(db, ticketId, commentId)
  if (comment === undefined || (comment.visibility === 'internal' && !isStaff(p))) throw notFound('Comment')
  return comment
}
