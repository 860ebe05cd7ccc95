/**
 * Who reads the knowledge base, and the links tickets and comments make to articles. Kept apart from kb.ts so the
 * ticket use cases can record links inside their own transaction without an import cycle.
 */
import { actorOf, isStaff, type Principal } from '../domain/access.js'
import { DomainError } from '../domain/errors.js'
import { readerOf, type Reader } from '../domain/kb/article.js'
import { isSubscriptionCurrent } from '../domain/organizations/organization.js'
import type { PlanId } from '../domain/policy/policy.js'
import type { DbOrTx } from '../db/client.js'
import * as repo from '../db/repositories/kb.js'
import { findOrganization } from '../db/repositories/organizations.js'
import type { AppContext } from './context.js'
import { recordEvent } from '../db/events.js'

/** who reads: customers get their organization's plan (only while the subscription is current) */
export async function readerFor (ctx: AppContext, p: Principal | null, db: DbOrTx = ctx.database.db): Promise<Reader> {
  if (p === null || isStaff(p)) return readerOf(p, null)
  let plan: PlanId | null = null
  if (p.orgId !== null) {
    const org = await findOrganization(db, p.orgId)
    if (org !== undefined && isSubscriptionCurrent(org.subscription, ctx.now())) plan = org.plan
  }
  return readerOf(p, plan)
}

/**
 * Records the articles named on a new ticket (`suggestedArticleIds`, kind `suggested`) or in a new comment
 * (`articleIds`, kind `comment`). Every id must name an article the caller may see (422 kb-article-unknown otherwise).
 */
export async function recordArticleLinks (ctx: AppContext, tx: DbOrTx, p: Principal, link: { kind: 'suggested' | 'comment'; articleIds: readonly string[]; ticketId: string; commentId: string | null; organizationId: string; now: Date; visibility?: 'public' | 'internal' }): Promise<void> {
  const ids = [...new Set(link.articleIds)]
  if (ids.length === 0) return
  const visible = await repo.visibleArticleIds(tx, ids, await readerFor(ctx, p, tx))
  const unknown = ids.filter((id) => !visible.has(id))
  if (unknown.length > 0) throw new DomainError('kb-article-unknown', `Unknown knowledge-base article: ${unknown.join(', ')}`, { articleIds: unknown })
  const actor = actorOf(p)
  await repo.insertLinks(tx, ids.map((articleId) => ({ articleId, kind: link.kind, ticketId: link.ticketId, commentId: link.commentId, organizationId: link.organizationId, actor, now: link.now })))
  // the ticket's organization sees which articles were named (ids only, never article content)
  await recordEvent(tx, {
    type: 'ticket.kb_articles_linked', organizationId: link.organizationId, resourceType: link.kind === 'comment' ? 'comment' : 'ticket',
    resourceId: link.commentId ?? link.ticketId, ticketId: link.ticketId, visibility: link.visibility ?? 'public', actor, occurredAt: link.now,
    data: { ticketId: link.ticketId, commentId: link.commentId, kind: link.kind, articleIds: ids }
  })
}

