import { Type } from '@sinclair/typebox'
import { SLUG_PATTERN } from '../../domain/kb/article.js'
import { CursorParam, Limit, Nullable, ref, Timestamp } from './common.js'
import { PlanIdSchema } from './policy.js'

const Int32 = (min: number, max: number, description?: string) => Type.Integer({ format: 'int32', minimum: min, maximum: max, ...(description === undefined ? {} : { description }) })
const Id = Type.String({ format: 'uuid', maxLength: 36 })
const Slug = Type.String({ minLength: 1, maxLength: 120, pattern: SLUG_PATTERN, description: 'URL name: lower-case words joined by hyphens; unique' })
const Title = Type.String({ minLength: 1, maxLength: 200 })
const Summary = Type.String({ maxLength: 1000 })
const BodyMarkdown = Type.String({ maxLength: 100000, description: 'CommonMark; raw HTML is allowed but sanitised (see bodyHtml)' })
const Tag = Type.String({ minLength: 1, maxLength: 50, pattern: '^[^,\\s][^,]*$' })
const Tags = Type.Array(Tag, { maxItems: 20, description: 'Stored lower-case, unique' })
const Stamp = { ...Timestamp, maxLength: 30 }

export const KbArticleStatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')], {
  $id: 'KbArticleStatus', description: 'draft: staff only; published: readers who may see it; archived: staff only (kept for its URL and history)'
})

const Audience = Nullable(Type.Array(ref(PlanIdSchema), { minItems: 1, maxItems: 3, uniqueItems: true, description: 'Plans whose customers may read the article; null = every plan and anonymous visitors' }))

export const KbActorSchema = Type.Object({
  id: Type.String({ maxLength: 200, description: 'Token subject' }),
  role: Type.String({ maxLength: 20, enum: ['customer', 'agent', 'admin', 'system'] })
}, { $id: 'KbActor', additionalProperties: false })

export const KbArticleStatsSchema = Type.Object({
  helpful: Int32(0, 2147483647, 'Votes "helpful"'),
  notHelpful: Int32(0, 2147483647, 'Votes "not helpful"'),
  suggested: Int32(0, 2147483647, 'Tickets opened after the article was suggested'),
  linked: Int32(0, 2147483647, 'Links to the article in comments')
}, { $id: 'KbArticleStats', additionalProperties: false, description: 'Staff only' })

export const KbArticleSchema = Type.Object({
  id: Id,
  slug: Slug,
  title: Title,
  summary: Summary,
  bodyMarkdown: BodyMarkdown,
  bodyHtml: Type.String({ maxLength: 400000, description: 'The body rendered and sanitised (no script, style, event handler, SVG or javascript: URL); safe to insert as HTML' }),
  categoryId: Nullable(Id),
  tags: Tags,
  status: ref(KbArticleStatusSchema),
  audiencePlans: Audience,
  publishedAt: Nullable(Stamp),
  version: Int32(1, 2147483647),
  createdBy: ref(KbActorSchema),
  updatedBy: ref(KbActorSchema),
  createdAt: Stamp,
  updatedAt: Stamp,
  stats: Type.Optional(ref(KbArticleStatsSchema))
}, {
  $id: 'KbArticle',
  additionalProperties: false,
  examples: [{
    id: '0b9f3c1e-4a7d-4c53-9a0e-2f1d5c6b7a81', slug: 'publish-a-dkim-key', title: 'Publish a DKIM key', summary: 'Add the TXT record at selector._domainkey.',
    bodyMarkdown: '# Publish a DKIM key\n\nAdd a **TXT** record.', bodyHtml: '<h1>Publish a DKIM key</h1>\n<p>Add a <strong>TXT</strong> record.</p>\n',
    categoryId: null, tags: ['dkim', 'dns'], status: 'published', audiencePlans: null, publishedAt: '2026-11-26T14:30:00.000Z', version: 2,
    createdBy: { id: 'agent-7', role: 'agent' }, updatedBy: { id: 'agent-7', role: 'agent' }, createdAt: '2026-11-26T14:00:00.000Z', updatedAt: '2026-11-26T14:30:00.000Z'
  }]
})

export const KbArticlePage = Type.Object({
  items: Type.Array(ref(KbArticleSchema), { maxItems: 100 }),
  nextCursor: Nullable(Type.String({ maxLength: 2048, description: 'Pass as `cursor` to get the next page; null on the last page' }))
}, { $id: 'KbArticlePage', additionalProperties: false })

export const CreateKbArticleBody = Type.Object({
  title: Title,
  slug: Type.Optional(Slug),
  summary: Type.Optional(Summary),
  bodyMarkdown: BodyMarkdown,
  categoryId: Type.Optional(Nullable(Id)),
  tags: Type.Optional(Tags),
  status: Type.Optional(ref(KbArticleStatusSchema)),
  audiencePlans: Type.Optional(Audience)
}, {
  $id: 'CreateKbArticle',
  additionalProperties: false,
  examples: [{ title: 'Publish a DKIM key', summary: 'Add the TXT record at selector._domainkey.', bodyMarkdown: '# Publish a DKIM key\n\nAdd a **TXT** record.', tags: ['dkim', 'dns'], status: 'published' }]
})

export const UpdateKbArticleBody = Type.Object({
  title: Type.Optional(Title),
  slug: Type.Optional(Slug),
  summary: Type.Optional(Summary),
  bodyMarkdown: Type.Optional(BodyMarkdown),
  categoryId: Type.Optional(Nullable(Id)),
  tags: Type.Optional(Tags),
  status: Type.Optional(ref(KbArticleStatusSchema)),
  audiencePlans: Type.Optional(Audience)
}, { $id: 'UpdateKbArticle', additionalProperties: false, minProperties: 1, examples: [{ status: 'published' }, { audiencePlans: ['premier'] }] })

export const KbArticleListQuery = Type.Object({
  status: Type.Optional(ref(KbArticleStatusSchema)),
  categoryId: Type.Optional(Id),
  tag: Type.Optional(Tag),
  slug: Type.Optional(Slug),
  limit: Limit(),
  cursor: Type.Optional(CursorParam)
}, { additionalProperties: false })

export const KbArticleParams = Type.Object({ articleId: Id })
export const KbRevisionParams = Type.Object({ articleId: Id, revisionId: Id })
export const KbCategoryParams = Type.Object({ categoryId: Id })

export const KbRevisionSchema = Type.Object({
  id: Id,
  articleId: Id,
  version: Int32(1, 2147483647, 'The article version this revision produced'),
  changedFields: Type.Array(Type.String({ maxLength: 20, enum: ['slug', 'title', 'summary', 'bodyMarkdown', 'categoryId', 'tags', 'status', 'audiencePlans'] }), { maxItems: 8, description: 'What this change changed (all fields for the first revision)' }),
  restoredFromRevisionId: Nullable(Id),
  actor: ref(KbActorSchema),
  createdAt: Stamp,
  content: Type.Object({
    slug: Slug,
    title: Title,
    summary: Summary,
    bodyMarkdown: BodyMarkdown,
    categoryId: Nullable(Id),
    tags: Tags,
    status: ref(KbArticleStatusSchema),
    audiencePlans: Audience
  }, { additionalProperties: false, description: 'The article content at this version' })
}, { $id: 'KbRevision', additionalProperties: false })

export const KbRevisionPage = Type.Object({
  items: Type.Array(ref(KbRevisionSchema), { maxItems: 100 }),
  nextCursor: Nullable(Type.String({ maxLength: 2048 }))
}, { $id: 'KbRevisionPage', additionalProperties: false })

export const KbCategorySchema = Type.Object({
  id: Id,
  name: Type.String({ minLength: 1, maxLength: 100 }),
  slug: Slug,
  description: Nullable(Type.String({ maxLength: 1000 })),
  position: Int32(0, 100000, 'Navigation order (ascending, then name)'),
  version: Int32(1, 2147483647),
  createdAt: Stamp,
  updatedAt: Stamp
}, { $id: 'KbCategory', additionalProperties: false, examples: [{ id: '5f0c6d9e-0a4b-4f7e-8d59-7a8f3c2b1e90', name: 'Email authentication', slug: 'email-authentication', description: 'SPF, DKIM and DMARC', position: 10, version: 1, createdAt: '2026-11-26T14:00:00.000Z', updatedAt: '2026-11-26T14:00:00.000Z' }] })

export const KbCategoryList = Type.Object({
  items: Type.Array(ref(KbCategorySchema), { maxItems: 1000 }),
  nextCursor: Type.Null({ description: 'Always null: every category in one page (ordered by position, then name)' })
}, { $id: 'KbCategoryList', additionalProperties: false })

export const CreateKbCategoryBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  slug: Type.Optional(Slug),
  description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  position: Type.Optional(Int32(0, 100000, 'Navigation order (default 0)'))
}, { $id: 'CreateKbCategory', additionalProperties: false, examples: [{ name: 'Email authentication', position: 10 }] })

export const UpdateKbCategoryBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  slug: Type.Optional(Slug),
  description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  position: Type.Optional(Int32(0, 100000))
}, { $id: 'UpdateKbCategory', additionalProperties: false, minProperties: 1, examples: [{ position: 20 }] })

export const KbSearchHitSchema = Type.Object({
  id: Id,
  slug: Slug,
  title: Title,
  summary: Summary,
  categoryId: Nullable(Id),
  tags: Tags,
  rank: Type.Number({ minimum: 0, maximum: 1000, description: 'ts_rank score (higher is better); only comparable within one response' }),
  snippetHtml: Type.String({ maxLength: 4000, description: 'Highlighted excerpt of the body: plain text, HTML-escaped, matches in <mark>' }),
  updatedAt: Stamp
}, { $id: 'KbSearchHit', additionalProperties: false })

export const KbSearchResult = Type.Object({
  items: Type.Array(ref(KbSearchHitSchema), { maxItems: 50 }),
  nextCursor: Type.Null({ description: 'Always null: the best `limit` matches' })
}, { $id: 'KbSearchResult', additionalProperties: false })

export const KbSearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 500, description: 'Web-search syntax: words (all must match), "quoted phrase", or, -excluded' }),
  limit: Type.Integer({ format: 'int32', minimum: 1, maximum: 50, default: 10, description: 'How many matches, 1–50 (default 10)' })
}, { additionalProperties: false })

export const KbSuggestionBody = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 20000 })),
  limit: Type.Optional(Type.Integer({ format: 'int32', minimum: 1, maximum: 10, description: 'How many articles, 1–10 (5 when absent)' }))
}, { $id: 'KbSuggestionRequest', additionalProperties: false, examples: [{ subject: 'DMARC reports say DKIM fails', description: 'Since we moved DNS providers our DKIM signatures fail.' }] })

export const KbFeedbackBody = Type.Object({
  helpful: Type.Boolean(),
  comment: Type.Optional(Nullable(Type.String({ maxLength: 2000 })))
}, { $id: 'KbFeedback', additionalProperties: false, examples: [{ helpful: false, comment: 'The selector name in step 2 is wrong for Google Workspace.' }] })

export const KbFeedbackResult = Type.Object({
  articleId: Id,
  helpful: Type.Boolean(),
  replaced: Type.Boolean({ description: 'true when this vote replaced your earlier one' })
}, { $id: 'KbFeedbackResult', additionalProperties: false })

export const KbTicketLinkSchema = Type.Object({
  articleId: Id,
  slug: Slug,
  title: Title,
  kind: Type.String({ maxLength: 20, enum: ['suggested', 'comment'], description: 'suggested: shown to the customer before the ticket was opened; comment: linked in a comment' }),
  commentId: Nullable(Id),
  actor: ref(KbActorSchema),
  createdAt: Stamp
}, { $id: 'KbTicketLink', additionalProperties: false })

export const KbTicketLinkList = Type.Object({
  items: Type.Array(ref(KbTicketLinkSchema), { maxItems: 500 }),
  nextCursor: Type.Null()
}, { $id: 'KbTicketLinkList', additionalProperties: false })

export const KbMostLinkedSchema = Type.Object({
  article: ref(KbArticleSchema),
  linkCount: Int32(0, 2147483647, 'Comment links to the article'),
  ticketCount: Int32(0, 2147483647, 'Distinct tickets whose comments link it')
}, { $id: 'KbMostLinked', additionalProperties: false })

export const KbMostLinkedList = Type.Object({
  items: Type.Array(ref(KbMostLinkedSchema), { maxItems: 100 }),
  nextCursor: Type.Null()
}, { $id: 'KbMostLinkedList', additionalProperties: false })

export const KbMostLinkedQuery = Type.Object({ limit: Limit(100, 20) }, { additionalProperties: false })
export const KbRevisionListQuery = Type.Object({ limit: Limit(), cursor: Type.Optional(CursorParam) }, { additionalProperties: false })

export const kbSchemas = [
  KbArticleStatusSchema, KbActorSchema, KbArticleStatsSchema, KbArticleSchema, KbArticlePage, CreateKbArticleBody, UpdateKbArticleBody,
  KbRevisionSchema, KbRevisionPage, KbCategorySchema, KbCategoryList, CreateKbCategoryBody, UpdateKbCategoryBody,
  KbSearchHitSchema, KbSearchResult, KbSuggestionBody, KbFeedbackBody, KbFeedbackResult,
  KbTicketLinkSchema, KbTicketLinkList, KbMostLinkedSchema, KbMostLinkedList
]
