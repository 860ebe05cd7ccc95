import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as kb from '../../application/kb.js'
import { iso } from '../../domain/time.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { expectedVersion, notModified, setEtag } from '../etag.js'
import { IfMatchHeaders, IfNoneMatchHeaders, NotModified, problemResponses, ref } from '../schemas/common.js'
import {
  CreateKbArticleBody, CreateKbCategoryBody, KbArticleListQuery, KbArticlePage, KbArticleParams, KbArticleSchema, KbCategoryList,
  KbCategoryParams, KbCategorySchema, KbFeedbackBody, KbFeedbackResult, KbMostLinkedList, KbMostLinkedQuery, KbRevisionListQuery,
  KbRevisionPage, KbRevisionParams, KbSearchQuery, KbSearchResult, KbSuggestionBody, KbTicketLinkList,
  UpdateKbArticleBody, UpdateKbCategoryBody
} from '../schemas/kb.js'
import { TicketParams } from '../schemas/tickets.js'
import { presentArticle, presentMostLinked, presentTicketLink, presentRevision, presentCategory, presentHit } from '../presenters/kb.js'
import { KB_VISIBILITY, SEARCH_KB_ARTICLES_DESCRIPTION, SUGGEST_KB_ARTICLES_DESCRIPTION } from '../docs/kb.js'

/** readable without a token (anonymous visitors), with one (customers, staff); an invalid token is still 401 */
const OPTIONAL_AUTH = { optionalAuth: true }
const OPTIONAL_SECURITY: Array<Record<string, string[]>> = [{}, { bearerAuth: [] }]

export const kbRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // articles -----------------------------------------------------------------------------------------------------------
  app.post('/v1/kb/articles', {
    schema: {
      operationId: 'createKbArticle', tags: ['knowledge-base'], summary: 'Write an article (agents and admins)',
      description: 'The Markdown body is rendered and sanitised on write (`bodyHtml`). The slug defaults to one made from the title; a slug in use is 409 `kb-slug-taken`. Status defaults to draft.',
      body: ref(CreateKbArticleBody),
      response: { 201: ref(KbArticleSchema), ...problemResponses(409, 422) }
    }
  }, async (request, reply) => {
    const article = await kb.createArticle(request.ctx, principal(request), request.body)
    setEtag(reply, article.version)
    reply.header('location', `/v1/kb/articles/${article.id}`)
    return await reply.code(201).send(presentArticle({ article }))
  })

  app.get('/v1/kb/articles', {
    config: OPTIONAL_AUTH,
    schema: {
      operationId: 'listKbArticles', tags: ['knowledge-base'], summary: 'List articles',
      description: `${KB_VISIBILITY}\nNewest change first (updatedAt, then id, descending). \`slug\` finds an article by its URL name.`,
      security: OPTIONAL_SECURITY,
      querystring: KbArticleListQuery,
      response: { 200: ref(KbArticlePage) }
    }
  }, async (request) => {
    const { limit, cursor, ...query } = request.query
    const keys = keyset(cursor, query, ['timestamp', 'uuid'])
    const page = await kb.listArticles(request.ctx, request.principalOrNull, query, {
      limit, after: keys.after('updatedAt')
    })
    return {
      items: page.items.map(presentArticle),
      nextCursor: keys.next(page, ({ article: last }) => [iso(last.updatedAt), last.id])
    }
  })

  app.get('/v1/kb/articles/:articleId', {
    config: OPTIONAL_AUTH,
    schema: {
      operationId: 'getKbArticle', tags: ['knowledge-base'], summary: 'Get an article',
      description: `${KB_VISIBILITY}\n\`If-None-Match\` with the current ETag gives 304.`,
      security: OPTIONAL_SECURITY,
      params: KbArticleParams,
      headers: IfNoneMatchHeaders,
      response: { 200: ref(KbArticleSchema), 304: NotModified, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const view = await kb.getArticle(request.ctx, request.principalOrNull, request.params.articleId)
    setEtag(reply, view.article.version)
    if (notModified(request, view.article.version)) return await reply.code(304).send()
    return presentArticle(view)
  })

  app.patch('/v1/kb/articles/:articleId', {
    schema: {
      operationId: 'updateKbArticle', tags: ['knowledge-base'], summary: 'Change an article (agents and admins)',
      description: 'Every change that changes something is a new version and a new revision. `publishedAt` is set the first time the status becomes published and kept afterwards. `If-Match` (optional) refers to the article\'s ETag.',
      params: KbArticleParams,
      headers: IfMatchHeaders,
      body: ref(UpdateKbArticleBody),
      response: { 200: ref(KbArticleSchema), ...problemResponses(404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const article = await kb.updateArticle(request.ctx, principal(request), request.params.articleId, request.body, expectedVersion(request))
    setEtag(reply, article.version)
    return presentArticle({ article })
  })

  app.delete('/v1/kb/articles/:articleId', {
    schema: {
      operationId: 'deleteKbArticle', tags: ['knowledge-base'], summary: 'Delete an article (agents and admins)',
      description: 'Removes the article with its revisions, feedback and ticket links (the outbox keeps a `kb.article_deleted` event with its last content). To take an article off the portal but keep it, archive it instead.',
      params: KbArticleParams,
      headers: IfMatchHeaders,
      response: { 204: { description: 'Deleted', type: 'null' }, ...problemResponses(404, 412) }
    }
  }, async (request, reply) => {
    await kb.deleteArticle(request.ctx, principal(request), request.params.articleId, expectedVersion(request))
    return await reply.code(204).send()
  })

  // revisions ----------------------------------------------------------------------------------------------------------
  app.get('/v1/kb/articles/:articleId/revisions', {
    schema: {
      operationId: 'listKbArticleRevisions', tags: ['knowledge-base'], summary: 'An article\'s revisions (agents and admins)',
      description: 'Newest first: who, when, which fields changed, and the full content at that version.',
      params: KbArticleParams,
      querystring: KbRevisionListQuery,
      response: { 200: ref(KbRevisionPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { articleId } = request.params
    const keys = keyset(request.query.cursor, { articleId }, ['id'])
    const page = await kb.listRevisions(request.ctx, principal(request), articleId, { limit: request.query.limit, beforeVersion: keys.position?.[0] as number | undefined })
    return { items: page.items.map(presentRevision), nextCursor: keys.next(page, (last) => [last.version]) }
  })

  app.post('/v1/kb/articles/:articleId/revisions/:revisionId/restore', {
    schema: {
      operationId: 'restoreKbArticleRevision', tags: ['knowledge-base'], summary: 'Restore a revision (agents and admins)',
      description: 'Brings back the revision\'s title, summary, body, category, tags and audience as a new version (a new revision naming the restored one). Status and slug stay as they are. `If-Match` (optional) refers to the article\'s ETag.',
      params: KbRevisionParams,
      headers: IfMatchHeaders,
      response: { 200: ref(KbArticleSchema), ...problemResponses(404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const { articleId, revisionId } = request.params
    const article = await kb.restoreRevision(request.ctx, principal(request), articleId, revisionId, expectedVersion(request))
    setEtag(reply, article.version)
    return presentArticle({ article })
  })

  // feedback -----------------------------------------------------------------------------------------------------------
  app.post('/v1/kb/articles/:articleId/feedback', {
    schema: {
      operationId: 'createKbArticleFeedback', tags: ['knowledge-base'], summary: 'Was this article helpful?',
      description: 'One vote per caller (token subject) per article: voting again replaces the vote (`replaced: true`). Needs a token; only on articles the caller may see. Counts appear in the article\'s `stats` for staff.',
      params: KbArticleParams,
      body: ref(KbFeedbackBody),
      response: { 200: ref(KbFeedbackResult), ...problemResponses(404) }
    }
  }, async (request) => {
    const { articleId } = request.params
    const r = await kb.recordFeedback(request.ctx, principal(request), articleId, request.body)
    return { articleId, helpful: request.body.helpful, replaced: !r.created }
  })

  // categories ---------------------------------------------------------------------------------------------------------
  app.get('/v1/kb/categories', {
    config: OPTIONAL_AUTH,
    schema: {
      operationId: 'listKbCategories', tags: ['knowledge-base'], summary: 'List categories in navigation order',
      description: 'Ordered by position, then name. Readable without a token.',
      security: OPTIONAL_SECURITY,
      response: { 200: ref(KbCategoryList) }
    }
  }, async (request) => ({ items: (await kb.listCategories(request.ctx)).map(presentCategory), nextCursor: null }))

  app.post('/v1/kb/categories', {
    schema: {
      operationId: 'createKbCategory', tags: ['knowledge-base'], summary: 'Create a category (agents and admins)',
      body: ref(CreateKbCategoryBody),
      response: { 201: ref(KbCategorySchema), ...problemResponses(409) }
    }
  }, async (request, reply) => {
    const c = await kb.createCategory(request.ctx, principal(request), request.body)
    setEtag(reply, c.version)
    reply.header('location', `/v1/kb/categories/${c.id}`)
    return await reply.code(201).send(presentCategory(c))
  })

  app.patch('/v1/kb/categories/:categoryId', {
    schema: {
      operationId: 'updateKbCategory', tags: ['knowledge-base'], summary: 'Rename, describe or reorder a category (agents and admins)',
      params: KbCategoryParams,
      headers: IfMatchHeaders,
      body: ref(UpdateKbCategoryBody),
      response: { 200: ref(KbCategorySchema), ...problemResponses(404, 409, 412) }
    }
  }, async (request, reply) => {
    const c = await kb.updateCategory(request.ctx, principal(request), request.params.categoryId, request.body, expectedVersion(request))
    setEtag(reply, c.version)
    return presentCategory(c)
  })

  // finding answers ----------------------------------------------------------------------------------------------------
  app.get('/v1/kb/search', {
    config: OPTIONAL_AUTH,
    schema: {
      operationId: 'searchKbArticles', tags: ['knowledge-base'], summary: 'Full-text search',
      description: SEARCH_KB_ARTICLES_DESCRIPTION,
      security: OPTIONAL_SECURITY,
      querystring: KbSearchQuery,
      response: { 200: ref(KbSearchResult) }
    }
  }, async (request) => ({ items: (await kb.search(request.ctx, request.principalOrNull, request.query.q, request.query.limit)).map(presentHit), nextCursor: null }))

  app.post('/v1/kb/suggestions', {
    config: OPTIONAL_AUTH,
    schema: {
      operationId: 'suggestKbArticles', tags: ['knowledge-base'], summary: 'Articles for a ticket being written',
      description: SUGGEST_KB_ARTICLES_DESCRIPTION,
      security: OPTIONAL_SECURITY,
      body: ref(KbSuggestionBody),
      response: { 200: ref(KbSearchResult) }
    }
  }, async (request) => {
    const b = request.body
    return { items: (await kb.suggest(request.ctx, request.principalOrNull, b, b.limit ?? 5)).map(presentHit), nextCursor: null }
  })

  // links from tickets -------------------------------------------------------------------------------------------------
  app.get('/v1/tickets/:ticketId/kb-links', {
    schema: {
      operationId: 'listTicketKbLinks', tags: ['knowledge-base'], summary: 'Articles a ticket names (agents and admins)',
      description: 'The articles suggested to the customer before the ticket was opened (`suggested`) and those linked in its comments (`comment`, with the comment id), oldest first.',
      params: TicketParams,
      response: { 200: ref(KbTicketLinkList), ...problemResponses(404) }
    }
  }, async (request) => {
    const links = await kb.ticketArticleLinks(request.ctx, principal(request), request.params.ticketId)
    return {
      items: links.map(presentTicketLink),
      nextCursor: null
    }
  })

  app.get('/v1/kb/reports/most-linked', {
    schema: {
      operationId: 'listMostLinkedKbArticles', tags: ['knowledge-base'], summary: 'The articles agents link most (agents and admins)',
      description: 'Articles by the number of comment links to them (then by distinct tickets), most first.',
      querystring: KbMostLinkedQuery,
      response: { 200: ref(KbMostLinkedList) }
    }
  }, async (request) => ({
    items: (await kb.mostLinkedArticles(request.ctx, principal(request), request.query.limit)).map(presentMostLinked),
    nextCursor: null
  }))
}
