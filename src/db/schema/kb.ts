import type { ArticleContent } from '../../domain/kb/article.js'
import { sql } from 'drizzle-orm'
import { boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' })

/** knowledge-base categories; `position` orders the portal's navigation (then name) */
export const kbCategories = pgTable('kb_categories', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  slug: text('slug').notNull(),
  description: text('description'),
  position: integer('position').notNull().default(0),
  version: integer('version').notNull().default(1),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull()
}, (t) => [
  uniqueIndex('kb_categories_slug_idx').on(t.slug),
  index('kb_categories_position_idx').on(t.position, t.name)
])

/**
 * Knowledge-base articles. `body_html` is the sanitised rendering of `body_markdown` (rendered on write, so readers
 * never run a renderer); `body_text` is its plain text, used for search and snippets. `search_vector` is computed on
 * every write from title + tags (weight A), summary (B) and body text (C) and GIN-indexed. `audience_plans` null =
 * every plan (and anonymous visitors); a list = only customers on those plans.
 */
export const kbArticles = pgTable('kb_articles', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  slug: text('slug').notNull(),
  title: text('title').notNull(),
  summary: text('summary').notNull(),
  bodyMarkdown: text('body_markdown').notNull(),
  bodyHtml: text('body_html').notNull(),
  bodyText: text('body_text').notNull(),
  categoryId: uuid('category_id').references(() => kbCategories.id),
  tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
  status: text('status', { enum: ['draft', 'published', 'archived'] }).notNull(),
  audiencePlans: text('audience_plans').array(),
  publishedAt: ts('published_at'),
  searchVector: tsvector('search_vector').notNull(),
  version: integer('version').notNull().default(1),
  createdById: text('created_by_id').notNull(),
  createdByRole: text('created_by_role').notNull(),
  updatedById: text('updated_by_id').notNull(),
  updatedByRole: text('updated_by_role').notNull(),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull()
}, (t) => [
  uniqueIndex('kb_articles_slug_idx').on(t.slug),
  index('kb_articles_updated_idx').on(t.updatedAt, t.id),
  index('kb_articles_status_updated_idx').on(t.status, t.updatedAt, t.id),
  index('kb_articles_category_idx').on(t.categoryId),
  index('kb_articles_search_idx').using('gin', t.searchVector)
])

/** the content of an article at one version (what a revision restores): the domain's ArticleContent, stored as jsonb */
export type KbArticleSnapshot = ArticleContent

/** one row per article version: who, when, which fields changed, and the full content at that version */
export const kbArticleRevisions = pgTable('kb_article_revisions', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  articleId: uuid('article_id').notNull().references(() => kbArticles.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  changedFields: text('changed_fields').array().notNull(),
  snapshot: jsonb('snapshot').notNull().$type<KbArticleSnapshot>(),
  restoredFromRevisionId: uuid('restored_from_revision_id'),
  actorId: text('actor_id').notNull(),
  actorRole: text('actor_role').notNull(),
  createdAt: ts('created_at').notNull()
}, (t) => [
  uniqueIndex('kb_article_revisions_article_version_idx').on(t.articleId, t.version)
])

/** one vote per caller (token subject) per article; a new vote replaces the old one */
export const kbArticleFeedback = pgTable('kb_article_feedback', {
  articleId: uuid('article_id').notNull().references(() => kbArticles.id, { onDelete: 'cascade' }),
  voterId: text('voter_id').notNull(),
  voterRole: text('voter_role').notNull(),
  organizationId: uuid('organization_id'),
  helpful: boolean('helpful').notNull(),
  comment: text('comment'),
  createdAt: ts('created_at').notNull(),
  updatedAt: ts('updated_at').notNull()
}, (t) => [
  primaryKey({ columns: [t.articleId, t.voterId] })
])

/**
 * Articles named on tickets: `suggested` = shown to the customer while writing the ticket (suggestedArticleIds on
 * ticket create); `comment` = linked by an agent in a comment (articleIds on comment create).
 */
export const kbArticleLinks = pgTable('kb_article_links', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  articleId: uuid('article_id').notNull().references(() => kbArticles.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: ['suggested', 'comment'] }).notNull(),
  ticketId: uuid('ticket_id').notNull(),
  commentId: uuid('comment_id'),
  organizationId: uuid('organization_id').notNull(),
  actorId: text('actor_id').notNull(),
  actorRole: text('actor_role').notNull(),
  createdAt: ts('created_at').notNull()
}, (t) => [
  index('kb_article_links_article_kind_idx').on(t.articleId, t.kind),
  index('kb_article_links_ticket_idx').on(t.ticketId, t.createdAt),
  uniqueIndex('kb_article_links_unique_idx').on(t.articleId, t.kind, t.ticketId, sql`coalesce(${t.commentId}, '00000000-0000-0000-0000-000000000000'::uuid)`)
])
