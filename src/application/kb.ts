/**
 * The knowledge base: articles (with revisions), categories, search, suggestions, feedback and the links tickets and
 * comments make to articles. Rules in src/domain/kb/article.ts; rendering and sanitising in src/domain/kb/markdown.ts.
 *
 * Events: every change writes an outbox event with `organization_id` NULL (articles belong to no organization) and
 * visibility `internal`. Organization-scoped readers of the change feed (customers, tokens with org_id) filter on
 * their organization and so never see them, and even an unscoped non-staff reader is excluded by the visibility, so
 * draft content never reaches a customer through the feed. Staff feed readers see them all.
 */
import { actorOf, requireRole, type Principal } from '../domain/access.js'
import { DomainError, notFound } from '../domain/errors.js'
import {
  canRead, changedFields, nextPublishedAt, normalizeTags, slugify,
  type Article, type ArticleContent, type ArticleStatus, type Reader
} from '../domain/kb/article.js'
import { renderMarkdown } from '../domain/kb/markdown.js'
import type { PlanId } from '../domain/policy/policy.js'
import type { DbOrTx } from '../db/client.js'
import { recordEvent, type Actor } from '../db/events.js'
import * as repo from '../db/repositories/kb.js'
import type { AppContext } from './context.js'
import { readerFor } from './kb-access.js'
import { loadTicket } from './tickets.js'
import { checkVersion, found, staleWrite } from './guards.js'
import { pageOf, type Page } from './page.js'

export type { Article } from '../domain/kb/article.js'
export { readerFor, recordArticleLinks } from './kb-access.js'
export type { Category, Revision, ArticleStats, SearchHit } from '../db/repositories/kb.js'

const requireWriter = (p: Principal): void => { requireRole(p, 'agent', 'admin') }

const kbEvent = async (tx: DbOrTx, e: { type: string; resourceType: 'kb_article' | 'kb_category'; resourceId: string; version: number | null; actor: Actor; now: Date; data: Record<string, unknown> }): Promise<void> => {
  await recordEvent(tx, {
    type: e.type, organizationId: null, resourceType: e.resourceType, resourceId: e.resourceId, resourceVersion: e.version,
    visibility: 'internal', actor: e.actor, occurredAt: e.now, data: e.data
  })
}

function isUniqueViolation (err: unknown): boolean {
  for (let e: unknown = err, i = 0; e !== undefined && e !== null && i < 4; e = (e as { cause?: unknown }).cause, i++) {
    if ((e as { code?: unknown }).code === '23505') return true
  }
  return false
}

const slugTaken = (slug: string): DomainError => new DomainError('kb-slug-taken', `The slug "${slug}" is already in use`, { slug })

async function assertCategory (db: DbOrTx, categoryId: string | null): Promise<void> {
  if (categoryId !== null && await repo.findCategory(db, categoryId) === undefined) {
    throw new DomainError('kb-category-unknown', `Category ${categoryId} does not exist`, { categoryId })
  }
}

const writeOf = (c: ArticleContent, publishedAt: Date | null, now: Date): repo.ArticleWrite => {
  const rendered = renderMarkdown(c.bodyMarkdown)
  return { ...c, bodyHtml: rendered.html, bodyText: rendered.text, publishedAt: nextPublishedAt(publishedAt, c.status, now) }
}

export interface CreateArticleInput {
  title: string
  slug?: string
  summary?: string
  bodyMarkdown: string
  categoryId?: string | null
  tags?: string[]
  status?: ArticleStatus
  audiencePlans?: PlanId[] | null
}

export async function createArticle (ctx: AppContext, p: Principal, input: CreateArticleInput): Promise<Article> {
  requireWriter(p)
  const now = ctx.now()
  const actor = actorOf(p)
  const content: ArticleContent = {
    slug: input.slug ?? slugify(input.title),
    title: input.title,
    summary: input.summary ?? '',
    bodyMarkdown: input.bodyMarkdown,
    categoryId: input.categoryId ?? null,
    tags: normalizeTags(input.tags ?? []),
    status: input.status ?? 'draft',
    audiencePlans: input.audiencePlans === undefined || input.audiencePlans === null ? null : [...new Set(input.audiencePlans)]
  }
  return await ctx.transaction(async (tx) => {
    await assertCategory(tx, content.categoryId)
    const article = await repo.insertArticle(tx, writeOf(content, null, now), actor, now)
    if (article === undefined) throw slugTaken(content.slug)
    const snapshot = repo.snapshotOf(article)
    await repo.insertRevision(tx, { articleId: article.id, version: article.version, changedFields: Object.keys(snapshot), snapshot, actor, now })
    await kbEvent(tx, { type: 'kb.article_created', resourceType: 'kb_article', resourceId: article.id, version: article.version, actor, now, data: { after: snapshot } })
    return article
  })
}

export type ArticlePatch = Partial<Omit<CreateArticleInput, 'slug'>> & { slug?: string }

/** applies a patch (or a restore) to the locked article: new version, revision and event in one transaction */
async function changeArticle (ctx: AppContext, p: Principal, id: string, expectedVersion: number | undefined, next: (current: Article) => ArticleContent, eventType: string, extra: { restoredFromRevisionId?: string } = {}): Promise<Article> {
  requireWriter(p)
  const now = ctx.now()
  const actor = actorOf(p)
  try {
    return await ctx.transaction(async (tx) => {
      const current = found(await repo.findArticle(tx, id, { forUpdate: true }), 'Article')
      checkVersion('article', expectedVersion, current.version)
      const content = next(current)
      const fields = changedFields(current, content)
      if (fields.length === 0) return current
      if (fields.includes('categoryId')) await assertCategory(tx, content.categoryId)
      if (fields.includes('slug') && await repo.slugTaken(tx, content.slug, id)) throw slugTaken(content.slug)
      const saved = await repo.updateArticle(tx, id, current.version, writeOf(content, current.publishedAt, now), actor, now)
      if (saved === undefined) throw staleWrite('article')
      const before = repo.snapshotOf(current)
      const after = repo.snapshotOf(saved)
      await repo.insertRevision(tx, { articleId: id, version: saved.version, changedFields: fields, snapshot: after, restoredFromRevisionId: extra.restoredFromRevisionId, actor, now })
      const pick = (s: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, s[f]]))
      await kbEvent(tx, {
        type: eventType, resourceType: 'kb_article', resourceId: id, version: saved.version, actor, now,
        data: { changedFields: fields, before: pick(before as unknown as Record<string, unknown>), after: pick(after as unknown as Record<string, unknown>), ...extra }
      })
      return saved
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError('kb-slug-taken', 'The slug is already in use')
    throw err
  }
}

export async function updateArticle (ctx: AppContext, p: Principal, id: string, patch: ArticlePatch, expectedVersion: number | undefined): Promise<Article> {
  return await changeArticle(ctx, p, id, expectedVersion, (c) => ({
    slug: patch.slug ?? c.slug,
    title: patch.title ?? c.title,
    summary: patch.summary ?? c.summary,
    bodyMarkdown: patch.bodyMarkdown ?? c.bodyMarkdown,
    categoryId: patch.categoryId === undefined ? c.categoryId : patch.categoryId,
    tags: patch.tags === undefined ? c.tags : normalizeTags(patch.tags),
    status: patch.status ?? c.status,
    audiencePlans: patch.audiencePlans === undefined ? c.audiencePlans : patch.audiencePlans === null ? null : [...new Set(patch.audiencePlans)]
  }), 'kb.article_updated')
}

/**
 * Restores a revision's content — title, summary, body, category, tags and audience — as a new version (a new
 * revision that names the one restored). Status and slug stay as they are: restoring old wording never unpublishes an
 * article or breaks its URL.
 */
export async function restoreRevision (ctx: AppContext, p: Principal, articleId: string, revisionId: string, expectedVersion: number | undefined): Promise<Article> {
  requireWriter(p)
  const revision = found(await repo.findRevision(ctx.database.db, articleId, revisionId), 'Revision')
  const s = revision.snapshot
  return await changeArticle(ctx, p, articleId, expectedVersion, (c) => ({
    slug: c.slug,
    status: c.status,
    title: s.title,
    summary: s.summary,
    bodyMarkdown: s.bodyMarkdown,
    categoryId: s.categoryId,
    tags: [...s.tags],
    audiencePlans: s.audiencePlans === null ? null : [...s.audiencePlans] as PlanId[]
  }), 'kb.article_restored', { restoredFromRevisionId: revisionId })
}

export async function deleteArticle (ctx: AppContext, p: Principal, id: string, expectedVersion: number | undefined): Promise<void> {
  requireWriter(p)
  const now = ctx.now()
  const actor = actorOf(p)
  await ctx.transaction(async (tx) => {
    const current = found(await repo.findArticle(tx, id, { forUpdate: true }), 'Article')
    checkVersion('article', expectedVersion, current.version)
    await repo.deleteArticle(tx, id)
    await kbEvent(tx, { type: 'kb.article_deleted', resourceType: 'kb_article', resourceId: id, version: current.version, actor, now, data: { before: repo.snapshotOf(current) } })
  })
}

/** an article the caller may see (others: 404, as if absent); staff also get feedback and link counts */
export async function getArticle (ctx: AppContext, p: Principal | null, id: string): Promise<{ article: Article; stats?: repo.ArticleStats }> {
  const db = ctx.database.db
  const article = found(await repo.findArticle(db, id), 'Article')
  const reader = await readerFor(ctx, p)
  if (!canRead(reader, article)) throw notFound('Article')
  if (reader.kind !== 'staff') return { article }
  return { article, stats: (await repo.statsFor(db, [id])).get(id) }
}

export async function listArticles (ctx: AppContext, p: Principal | null, filters: repo.ArticleFilters, page: { limit: number; after?: { updatedAt: Date; id: string } }): Promise<Page<{ article: Article; stats?: repo.ArticleStats }>> {
  const db = ctx.database.db
  const reader = await readerFor(ctx, p)
  // non-staff only ever see published articles; asking for drafts gives an empty list, not an error
  const rows = await repo.listArticles(db, reader, filters, { limit: page.limit + 1, after: page.after })
  const items = rows.slice(0, page.limit)
  const stats = reader.kind === 'staff' ? await repo.statsFor(db, items.map((a) => a.id)) : undefined
  return { items: items.map((article) => ({ article, stats: stats?.get(article.id) })), hasMore: rows.length > page.limit }
}

export async function listRevisions (ctx: AppContext, p: Principal, articleId: string, page: { limit: number; beforeVersion?: number }): Promise<Page<repo.Revision>> {
  requireWriter(p)
  const db = ctx.database.db
  if (await repo.findArticle(db, articleId) === undefined) throw notFound('Article')
  const rows = await repo.listRevisions(db, articleId, { limit: page.limit + 1, beforeVersion: page.beforeVersion })
  return pageOf(rows, page.limit)
}

// search and suggestions -----------------------------------------------------------------------------------------------

export async function search (ctx: AppContext, p: Principal | null, q: string, limit: number): Promise<repo.SearchHit[]> {
  const reader = await readerFor(ctx, p)
  return await repo.searchArticles(ctx.database.db, reader, { text: q, limit, mode: 'web' })
}

/**
 * Articles for a ticket being written: any word of the subject or description may match (an OR query), ranked the
 * same way; the subject is counted twice so its words weigh more than the description's. Published only, always
 * (staff included: a suggestion is what the customer will be shown).
 */
export async function suggest (ctx: AppContext, p: Principal | null, input: { subject: string; description?: string }, limit: number): Promise<repo.SearchHit[]> {
  const reader = await readerFor(ctx, p)
  const asCustomer: Reader = reader.kind === 'staff' ? { kind: 'customer', plan: null } : reader
  const text = `${input.subject} ${input.subject} ${input.description ?? ''}`
  return await repo.searchArticles(ctx.database.db, asCustomer, { text, limit, mode: 'any' })
}

// categories -----------------------------------------------------------------------------------------------------------

export const listCategories = async (ctx: AppContext): Promise<repo.Category[]> => await repo.listCategories(ctx.database.db)

export interface CategoryInput { name: string; slug?: string; description?: string | null; position?: number }

export async function createCategory (ctx: AppContext, p: Principal, input: CategoryInput): Promise<repo.Category> {
  requireWriter(p)
  const now = ctx.now()
  const actor = actorOf(p)
  return await ctx.transaction(async (tx) => {
    const values = { name: input.name, slug: input.slug ?? slugify(input.name), description: input.description ?? null, position: input.position ?? 0 }
    const c = await repo.insertCategory(tx, values, now)
    if (c === undefined) throw slugTaken(values.slug)
    await kbEvent(tx, { type: 'kb.category_created', resourceType: 'kb_category', resourceId: c.id, version: c.version, actor, now, data: { after: values } })
    return c
  })
}

export async function updateCategory (ctx: AppContext, p: Principal, id: string, patch: Partial<CategoryInput>, expectedVersion: number | undefined): Promise<repo.Category> {
  requireWriter(p)
  const now = ctx.now()
  const actor = actorOf(p)
  try {
    return await ctx.transaction(async (tx) => {
      const current = found(await repo.findCategory(tx, id, { forUpdate: true }), 'Category')
      checkVersion('category', expectedVersion, current.version)
      const next = {
        name: patch.name ?? current.name,
        slug: patch.slug ?? current.slug,
        description: patch.description === undefined ? current.description : patch.description,
        position: patch.position ?? current.position
      }
      const fields = (Object.keys(next) as Array<keyof typeof next>).filter((k) => next[k] !== current[k])
      if (fields.length === 0) return current
      if (fields.includes('slug') && await repo.categorySlugTaken(tx, next.slug, id)) throw slugTaken(next.slug)
      const saved = await repo.updateCategory(tx, id, current.version, next, now)
      if (saved === undefined) throw staleWrite('category')
      await kbEvent(tx, {
        type: 'kb.category_updated', resourceType: 'kb_category', resourceId: id, version: saved.version, actor, now,
        data: { changedFields: fields, before: Object.fromEntries(fields.map((f) => [f, current[f]])), after: Object.fromEntries(fields.map((f) => [f, next[f]])) }
      })
      return saved
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError('kb-slug-taken', 'The slug is already in use')
    throw err
  }
}

// feedback -------------------------------------------------------------------------------------------------------------

/** one vote per caller (token subject) per article; voting again replaces the vote. Only on articles the caller may see. */
export async function recordFeedback (ctx: AppContext, p: Principal, articleId: string, input: { helpful: boolean; comment?: string | null }): Promise<{ created: boolean; stats: repo.ArticleStats }> {
  const now = ctx.now()
  const actor = actorOf(p)
  return await ctx.transaction(async (tx) => {
    const article = await repo.findArticle(tx, articleId)
    if (article === undefined || !canRead(await readerFor(ctx, p, tx), article)) throw notFound('Article')
    const { created } = await repo.upsertFeedback(tx, { articleId, voter: actor, organizationId: p.orgId, helpful: input.helpful, comment: input.comment ?? null, now })
    await kbEvent(tx, {
      type: 'kb.feedback_recorded', resourceType: 'kb_article', resourceId: articleId, version: article.version, actor, now,
      data: { helpful: input.helpful, comment: input.comment ?? null, organizationId: p.orgId, replaced: !created }
    })
    const stats = (await repo.statsFor(tx, [articleId])).get(articleId) ?? { helpful: 0, notHelpful: 0, suggested: 0, linked: 0 }
    return { created, stats }
  })
}

// links from tickets and comments (called by the ticket use cases, inside their transaction) -----------------------------

/** staff: the articles a ticket names (suggested before it was opened, linked in its comments) */
export async function ticketArticleLinks (ctx: AppContext, p: Principal, ticketId: string): Promise<Awaited<ReturnType<typeof repo.linksOfTicket>>> {
  // tenancy first: another organization's ticket is 404 for everyone; then the role (customers: 403)
  await loadTicket(ctx.database.db, p, ticketId)
  requireWriter(p)
  return await repo.linksOfTicket(ctx.database.db, ticketId)
}

export async function mostLinkedArticles (ctx: AppContext, p: Principal, limit: number): Promise<Awaited<ReturnType<typeof repo.mostLinked>>> {
  requireWriter(p)
  return await repo.mostLinked(ctx.database.db, limit)
}
