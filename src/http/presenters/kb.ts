import type { Static } from '@sinclair/typebox'
import type * as kb from '../../application/kb.js'
import { highlightToHtml } from '../../domain/kb/markdown.js'
import { iso, isoOrNull } from '../../domain/time.js'
import type { KbRevisionSchema, KbArticleSchema, KbCategorySchema } from '../schemas/kb.js'

type Role = 'customer' | 'agent' | 'admin' | 'system'

const actor = (id: string, role: string) => ({ id, role: role as Role })

/** an article a ticket names (suggested before it was opened, or linked in a comment) */
export const presentTicketLink = (l: Awaited<ReturnType<typeof kb.ticketArticleLinks>>[number]) =>
  ({ articleId: l.articleId, slug: l.slug, title: l.title, kind: l.kind, commentId: l.commentId, actor: actor(l.actorId, l.actorRole), createdAt: iso(l.createdAt) })

export const presentArticle = ({ article: a, stats }: { article: kb.Article; stats?: kb.ArticleStats }): Static<typeof KbArticleSchema> => ({
  id: a.id,
  slug: a.slug,
  title: a.title,
  summary: a.summary,
  bodyMarkdown: a.bodyMarkdown,
  bodyHtml: a.bodyHtml,
  categoryId: a.categoryId,
  tags: a.tags,
  status: a.status,
  audiencePlans: a.audiencePlans,
  publishedAt: isoOrNull(a.publishedAt),
  version: a.version,
  createdBy: actor(a.createdBy.id, a.createdBy.role),
  updatedBy: actor(a.updatedBy.id, a.updatedBy.role),
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
  ...(stats === undefined ? {} : { stats })
})

export const presentRevision = (r: kb.Revision): Static<typeof KbRevisionSchema> => ({
  id: r.id,
  articleId: r.articleId,
  version: r.version,
  changedFields: r.changedFields,
  restoredFromRevisionId: r.restoredFromRevisionId,
  actor: actor(r.actorId, r.actorRole),
  createdAt: iso(r.createdAt),
  content: {
    slug: r.snapshot.slug,
    title: r.snapshot.title,
    summary: r.snapshot.summary,
    bodyMarkdown: r.snapshot.bodyMarkdown,
    categoryId: r.snapshot.categoryId,
    tags: r.snapshot.tags,
    status: r.snapshot.status,
    audiencePlans: r.snapshot.audiencePlans as Static<typeof KbRevisionSchema>['content']['audiencePlans']
  }
})

export const presentCategory = (c: kb.Category): Static<typeof KbCategorySchema> => ({
  id: c.id, name: c.name, slug: c.slug, description: c.description, position: c.position, version: c.version,
  createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt)
})

export const presentHit = (h: kb.SearchHit) => ({
  id: h.article.id,
  slug: h.article.slug,
  title: h.article.title,
  summary: h.article.summary,
  categoryId: h.article.categoryId,
  tags: h.article.tags,
  rank: h.rank,
  snippetHtml: highlightToHtml(h.snippet),
  updatedAt: iso(h.article.updatedAt)
})

/** an article with how often comments link it */
export const presentMostLinked = (r: Awaited<ReturnType<typeof kb.mostLinkedArticles>>[number]) =>
  ({ article: presentArticle({ article: r.article }), linkCount: r.linkCount, ticketCount: r.ticketCount })
