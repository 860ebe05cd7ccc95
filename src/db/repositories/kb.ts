import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm'
import type { Article, ArticleContent, ArticleStatus, Reader } from '../../domain/kb/article.js'
import type { PlanId } from '../../domain/policy/policy.js'
import type { DbOrTx } from '../client.js'
import { kbArticleFeedback, kbArticleLinks, kbArticleRevisions, kbArticles, kbCategories, type KbArticleSnapshot } from '../schema/kb.js'

type ArticleRow = typeof kbArticles.$inferSelect
type CategoryRow = typeof kbCategories.$inferSelect
type RevisionRow = typeof kbArticleRevisions.$inferSelect

export type Category = Omit<CategoryRow, never>
export type Revision = RevisionRow

/** the columns an article is read with (never the search vector) */
const articleColumns = {
  id: kbArticles.id,
  slug: kbArticles.slug,
  title: kbArticles.title,
  summary: kbArticles.summary,
  bodyMarkdown: kbArticles.bodyMarkdown,
  bodyHtml: kbArticles.bodyHtml,
  bodyText: kbArticles.bodyText,
  categoryId: kbArticles.categoryId,
  tags: kbArticles.tags,
  status: kbArticles.status,
  audiencePlans: kbArticles.audiencePlans,
  publishedAt: kbArticles.publishedAt,
  version: kbArticles.version,
  createdById: kbArticles.createdById,
  createdByRole: kbArticles.createdByRole,
  updatedById: kbArticles.updatedById,
  updatedByRole: kbArticles.updatedByRole,
  createdAt: kbArticles.createdAt,
  updatedAt: kbArticles.updatedAt
}

type ReadRow = Omit<ArticleRow, 'searchVector'>

export const toArticle = (r: ReadRow): Article => ({
  id: r.id,
  slug: r.slug,
  title: r.title,
  summary: r.summary,
  bodyMarkdown: r.bodyMarkdown,
  bodyHtml: r.bodyHtml,
  bodyText: r.bodyText,
  categoryId: r.categoryId,
  tags: r.tags,
  status: r.status,
  audiencePlans: r.audiencePlans as PlanId[] | null,
  publishedAt: r.publishedAt,
  version: r.version,
  createdBy: { id: r.createdById, role: r.createdByRole },
  updatedBy: { id: r.updatedById, role: r.updatedByRole },
  createdAt: r.createdAt,
  updatedAt: r.updatedAt
})

export const snapshotOf = (a: ArticleContent): KbArticleSnapshot => ({
  slug: a.slug, title: a.title, summary: a.summary, bodyMarkdown: a.bodyMarkdown, categoryId: a.categoryId,
  tags: [...a.tags], status: a.status, audiencePlans: a.audiencePlans === null ? null : [...a.audiencePlans]
})

/** title + tags weigh most (A), then the summary (B), then the body's text (C) */
const searchVectorOf = (a: { title: string; tags: string[]; summary: string; bodyText: string }): SQL =>
  sql`setweight(to_tsvector('english', ${a.title}), 'A') || setweight(to_tsvector('english', ${a.tags.join(' ')}), 'A') || setweight(to_tsvector('english', ${a.summary}), 'B') || setweight(to_tsvector('english', ${a.bodyText}), 'C')`

/** SQL condition: the articles a reader may see (mirrors canRead in src/domain/kb/article.ts) */
export function visibleTo (reader: Reader): SQL | undefined {
  if (reader.kind === 'staff') return undefined
  const published = eq(kbArticles.status, 'published')
  if (reader.kind === 'customer' && reader.plan !== null) {
    return and(published, sql`(${kbArticles.audiencePlans} is null or ${reader.plan} = any(${kbArticles.audiencePlans}))`)
  }
  return and(published, isNull(kbArticles.audiencePlans))
}

export interface ArticleWrite extends ArticleContent {
  bodyHtml: string
  bodyText: string
  publishedAt: Date | null
}

export async function insertArticle (db: DbOrTx, a: ArticleWrite, actor: { id: string; role: string }, now: Date): Promise<Article | undefined> {
  const rows = await db.insert(kbArticles).values({
    slug: a.slug, title: a.title, summary: a.summary, bodyMarkdown: a.bodyMarkdown, bodyHtml: a.bodyHtml, bodyText: a.bodyText,
    categoryId: a.categoryId, tags: a.tags, status: a.status, audiencePlans: a.audiencePlans, publishedAt: a.publishedAt,
    searchVector: searchVectorOf(a) as unknown as string,
    createdById: actor.id, createdByRole: actor.role, updatedById: actor.id, updatedByRole: actor.role, createdAt: now, updatedAt: now
  }).onConflictDoNothing({ target: kbArticles.slug }).returning(articleColumns)
  return rows[0] === undefined ? undefined : toArticle(rows[0])
}

/** writes the new content if the row is still at `fromVersion`; undefined when it is not */
export async function updateArticle (db: DbOrTx, id: string, fromVersion: number, a: ArticleWrite, actor: { id: string; role: string }, now: Date): Promise<Article | undefined> {
  const rows = await db.update(kbArticles).set({
    slug: a.slug, title: a.title, summary: a.summary, bodyMarkdown: a.bodyMarkdown, bodyHtml: a.bodyHtml, bodyText: a.bodyText,
    categoryId: a.categoryId, tags: a.tags, status: a.status, audiencePlans: a.audiencePlans, publishedAt: a.publishedAt,
    searchVector: searchVectorOf(a) as unknown as string,
    updatedById: actor.id, updatedByRole: actor.role, updatedAt: now, version: sql`${kbArticles.version} + 1`
  }).where(and(eq(kbArticles.id, id), eq(kbArticles.version, fromVersion))).returning(articleColumns)
  return rows[0] === undefined ? undefined : toArticle(rows[0])
}

export async function deleteArticle (db: DbOrTx, id: string): Promise<void> {
  await db.delete(kbArticles).where(eq(kbArticles.id, id))
}

export async function findArticle (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<Article | undefined> {
  const q = db.select(articleColumns).from(kbArticles).where(eq(kbArticles.id, id))
  const rows = opts.forUpdate === true ? await q.for('update') : await q
  return rows[0] === undefined ? undefined : toArticle(rows[0])
}

export async function slugTaken (db: DbOrTx, slug: string, exceptId?: string): Promise<boolean> {
  const rows = await db.select({ id: kbArticles.id }).from(kbArticles).where(eq(kbArticles.slug, slug))
  return rows.some((r) => r.id !== exceptId)
}

/** ids among `ids` that name articles the reader may see */
export async function visibleArticleIds (db: DbOrTx, ids: string[], reader: Reader): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db.select({ id: kbArticles.id }).from(kbArticles).where(and(inArray(kbArticles.id, ids), visibleTo(reader)))
  return new Set(rows.map((r) => r.id))
}

export interface ArticleFilters {
  status?: ArticleStatus
  categoryId?: string
  tag?: string
  slug?: string
}

/** newest change first: (updated_at DESC, id DESC) keyset */
export async function listArticles (db: DbOrTx, reader: Reader, f: ArticleFilters, page: { limit: number; after?: { updatedAt: Date; id: string } }): Promise<Article[]> {
  const where: Array<SQL | undefined> = [visibleTo(reader)]
  if (f.status !== undefined) where.push(eq(kbArticles.status, f.status))
  if (f.categoryId !== undefined) where.push(eq(kbArticles.categoryId, f.categoryId))
  if (f.tag !== undefined) where.push(sql`${f.tag.toLowerCase()} = any(${kbArticles.tags})`)
  if (f.slug !== undefined) where.push(eq(kbArticles.slug, f.slug))
  if (page.after !== undefined) where.push(sql`(${kbArticles.updatedAt}, ${kbArticles.id}) < (${page.after.updatedAt.toISOString()}::timestamptz, ${page.after.id}::uuid)`)
  const rows = await db.select(articleColumns).from(kbArticles).where(and(...where))
    .orderBy(desc(kbArticles.updatedAt), desc(kbArticles.id)).limit(page.limit)
  return rows.map(toArticle)
}

export interface SearchHit { article: Article; rank: number; snippet: string }

/**
 * Full-text search: `websearch_to_tsquery` (quoted phrases, OR, -exclusion) against the GIN-indexed search vector,
 * ranked by ts_rank (weights: title/tags > summary > body; length-normalised), snippet from ts_headline over the
 * body's plain text with control-character markers (turned into <mark> after escaping).
 * `mode: 'any'` turns the query into an OR of its words (suggestions from a free-text ticket subject).
 */
export async function searchArticles (db: DbOrTx, reader: Reader, q: { text: string; limit: number; mode: 'web' | 'any' }): Promise<SearchHit[]> {
  const query = q.mode === 'web'
    ? sql`websearch_to_tsquery('english', ${q.text})`
    : sql`nullif(replace(plainto_tsquery('english', ${q.text})::text, ' & ', ' | '), '')::tsquery`
  const rank = sql<number>`ts_rank(${kbArticles.searchVector}, ${query}, 1)`
  const rows = await db.select({
    ...articleColumns,
    rank,
    snippet: sql<string>`ts_headline('english', ${kbArticles.bodyText}, ${query}, ${HEADLINE_OPTIONS})`
  }).from(kbArticles)
    .where(and(sql`${kbArticles.searchVector} @@ ${query}`, visibleTo(reader)))
    .orderBy(desc(rank), asc(kbArticles.id)).limit(q.limit)
  return rows.map(({ rank, snippet, ...r }) => ({ article: toArticle(r), rank: Number(rank), snippet }))
}

const HEADLINE_OPTIONS = 'StartSel=\u0002,StopSel=\u0003,MaxWords=35,MinWords=15,MaxFragments=2,FragmentDelimiter=" … "'

// revisions ------------------------------------------------------------------------------------------------------------

export async function insertRevision (db: DbOrTx, r: { articleId: string; version: number; changedFields: string[]; snapshot: KbArticleSnapshot; restoredFromRevisionId?: string | null; actor: { id: string; role: string }; now: Date }): Promise<Revision> {
  const rows = await db.insert(kbArticleRevisions).values({
    articleId: r.articleId, version: r.version, changedFields: r.changedFields, snapshot: r.snapshot,
    restoredFromRevisionId: r.restoredFromRevisionId ?? null, actorId: r.actor.id, actorRole: r.actor.role, createdAt: r.now
  }).returning()
  if (rows[0] === undefined) throw new Error('insert returned no row')
  return rows[0]
}

/** newest first, keyset on version (the cursor's position is any safe integer: compared as bigint, not the column's integer, so a large one is no out-of-range error) */
export async function listRevisions (db: DbOrTx, articleId: string, page: { limit: number; beforeVersion?: number }): Promise<Revision[]> {
  const where: SQL[] = [eq(kbArticleRevisions.articleId, articleId)]
  if (page.beforeVersion !== undefined) where.push(sql`${kbArticleRevisions.version} < ${page.beforeVersion}::bigint`)
  return await db.select().from(kbArticleRevisions).where(and(...where)).orderBy(desc(kbArticleRevisions.version)).limit(page.limit)
}

export async function findRevision (db: DbOrTx, articleId: string, revisionId: string): Promise<Revision | undefined> {
  const rows = await db.select().from(kbArticleRevisions).where(and(eq(kbArticleRevisions.articleId, articleId), eq(kbArticleRevisions.id, revisionId)))
  return rows[0]
}

// categories -----------------------------------------------------------------------------------------------------------

export async function listCategories (db: DbOrTx): Promise<Category[]> {
  return await db.select().from(kbCategories).orderBy(asc(kbCategories.position), asc(kbCategories.name), asc(kbCategories.id)).limit(1000)
}

export async function findCategory (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<Category | undefined> {
  const q = db.select().from(kbCategories).where(eq(kbCategories.id, id))
  const rows = opts.forUpdate === true ? await q.for('update') : await q
  return rows[0]
}

export async function insertCategory (db: DbOrTx, c: { name: string; slug: string; description: string | null; position: number }, now: Date): Promise<Category | undefined> {
  const rows = await db.insert(kbCategories).values({ ...c, createdAt: now, updatedAt: now }).onConflictDoNothing({ target: kbCategories.slug }).returning()
  return rows[0]
}

export async function updateCategory (db: DbOrTx, id: string, fromVersion: number, c: { name: string; slug: string; description: string | null; position: number }, now: Date): Promise<Category | undefined> {
  const rows = await db.update(kbCategories).set({ ...c, updatedAt: now, version: sql`${kbCategories.version} + 1` })
    .where(and(eq(kbCategories.id, id), eq(kbCategories.version, fromVersion))).returning()
  return rows[0]
}

export async function categorySlugTaken (db: DbOrTx, slug: string, exceptId: string): Promise<boolean> {
  const rows = await db.select({ id: kbCategories.id }).from(kbCategories).where(eq(kbCategories.slug, slug))
  return rows.some((r) => r.id !== exceptId)
}

// feedback -------------------------------------------------------------------------------------------------------------

export async function upsertFeedback (db: DbOrTx, f: { articleId: string; voter: { id: string; role: string }; organizationId: string | null; helpful: boolean; comment: string | null; now: Date }): Promise<{ created: boolean }> {
  const rows = await db.insert(kbArticleFeedback).values({
    articleId: f.articleId, voterId: f.voter.id, voterRole: f.voter.role, organizationId: f.organizationId,
    helpful: f.helpful, comment: f.comment, createdAt: f.now, updatedAt: f.now
  }).onConflictDoUpdate({
    target: [kbArticleFeedback.articleId, kbArticleFeedback.voterId],
    set: { helpful: f.helpful, comment: f.comment, updatedAt: f.now, voterRole: f.voter.role, organizationId: f.organizationId }
  }).returning({ createdAt: kbArticleFeedback.createdAt, updatedAt: kbArticleFeedback.updatedAt })
  return { created: rows[0] !== undefined && rows[0].createdAt.getTime() === rows[0].updatedAt.getTime() }
}

export interface ArticleStats { helpful: number; notHelpful: number; suggested: number; linked: number }

export async function statsFor (db: DbOrTx, articleIds: string[]): Promise<Map<string, ArticleStats>> {
  const out = new Map<string, ArticleStats>(articleIds.map((id) => [id, { helpful: 0, notHelpful: 0, suggested: 0, linked: 0 }]))
  if (articleIds.length === 0) return out
  const votes = await db.select({
    articleId: kbArticleFeedback.articleId,
    helpful: sql<number>`count(*) filter (where ${kbArticleFeedback.helpful})::int`,
    notHelpful: sql<number>`count(*) filter (where not ${kbArticleFeedback.helpful})::int`
  }).from(kbArticleFeedback).where(inArray(kbArticleFeedback.articleId, articleIds)).groupBy(kbArticleFeedback.articleId)
  for (const v of votes) { const s = out.get(v.articleId); if (s !== undefined) { s.helpful = Number(v.helpful); s.notHelpful = Number(v.notHelpful) } }
  const links = await db.select({
    articleId: kbArticleLinks.articleId,
    suggested: sql<number>`count(*) filter (where ${kbArticleLinks.kind} = 'suggested')::int`,
    linked: sql<number>`count(*) filter (where ${kbArticleLinks.kind} = 'comment')::int`
  }).from(kbArticleLinks).where(inArray(kbArticleLinks.articleId, articleIds)).groupBy(kbArticleLinks.articleId)
  for (const l of links) { const s = out.get(l.articleId); if (s !== undefined) { s.suggested = Number(l.suggested); s.linked = Number(l.linked) } }
  return out
}

// links from tickets and comments --------------------------------------------------------------------------------------

export async function insertLinks (db: DbOrTx, links: Array<{ articleId: string; kind: 'suggested' | 'comment'; ticketId: string; commentId: string | null; organizationId: string; actor: { id: string; role: string }; now: Date }>): Promise<void> {
  if (links.length === 0) return
  await db.insert(kbArticleLinks).values(links.map((l) => ({
    articleId: l.articleId, kind: l.kind, ticketId: l.ticketId, commentId: l.commentId, organizationId: l.organizationId,
    actorId: l.actor.id, actorRole: l.actor.role, createdAt: l.now
  }))).onConflictDoNothing()
}

export async function linksOfTicket (db: DbOrTx, ticketId: string): Promise<Array<typeof kbArticleLinks.$inferSelect & { title: string; slug: string }>> {
  const rows = await db.select({ link: kbArticleLinks, title: kbArticles.title, slug: kbArticles.slug }).from(kbArticleLinks)
    .innerJoin(kbArticles, eq(kbArticles.id, kbArticleLinks.articleId))
    .where(eq(kbArticleLinks.ticketId, ticketId)).orderBy(asc(kbArticleLinks.createdAt), asc(kbArticleLinks.id)).limit(500)
  return rows.map((r) => ({ ...r.link, title: r.title, slug: r.slug }))
}

/** the articles agents link most in comments (distinct tickets count once per ticket) */
export async function mostLinked (db: DbOrTx, limit: number): Promise<Array<{ article: Article; linkCount: number; ticketCount: number }>> {
  const counts = db.select({
    articleId: kbArticleLinks.articleId,
    linkCount: sql<number>`count(*)::int`.as('link_count'),
    ticketCount: sql<number>`count(distinct ${kbArticleLinks.ticketId})::int`.as('ticket_count')
  }).from(kbArticleLinks).where(eq(kbArticleLinks.kind, 'comment')).groupBy(kbArticleLinks.articleId).as('c')
  const rows = await db.select({ a: articleColumns, linkCount: counts.linkCount, ticketCount: counts.ticketCount })
    .from(counts).innerJoin(kbArticles, eq(kbArticles.id, counts.articleId))
    .orderBy(desc(counts.linkCount), desc(counts.ticketCount), asc(kbArticles.id)).limit(limit)
  return rows.map((r) => ({ article: toArticle(r.a), linkCount: Number(r.linkCount), ticketCount: Number(r.ticketCount) }))
}
