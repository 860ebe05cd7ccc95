import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IN_TRANSACTION } from '../plugins/idempotency.js'
import * as conversation from '../../application/ticket-comments.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { expectedVersion } from '../etag.js'
import { IfMatchHeaders, problemResponses, ref } from '../schemas/common.js'
import { CommentParams, CreateTicketCommentBody, SubListQuery, TicketCommentPage, TicketCommentSchema, TicketParams } from '../schemas/tickets.js'
import { presentComment } from '../presenters/tickets.js'
import { iso } from '../../domain/time.js'
import { COMMENT_DESCRIPTION } from '../docs/ticket-comments.js'

export const ticketCommentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/tickets/:ticketId/comments', {
    config: IN_TRANSACTION,
    schema: {
      operationId: 'createTicketComment', tags: ['tickets'], summary: 'Comment on a ticket',
      description: COMMENT_DESCRIPTION,
      params: TicketParams,
      headers: IfMatchHeaders,
      body: ref(CreateTicketCommentBody),
      response: { 201: ref(TicketCommentSchema), ...problemResponses(404, 409, 412) }
    }
  }, async (request, reply) => {
    const { ticketId } = request.params
    const b = request.body
    const comment = await conversation.addComment(request.ctx, principal(request), ticketId, {
      body: b.body, visibility: b.visibility ?? 'public', awaitingCustomer: b.awaitingCustomer, articleIds: b.articleIds, attachmentIds: b.attachmentIds
    }, expectedVersion(request))
    reply.header('location', `/v1/tickets/${ticketId}/comments/${comment.id}`)
    return await reply.code(201).send(presentComment(comment))
  })

  app.get('/v1/tickets/:ticketId/comments', {
    schema: {
      operationId: 'listTicketComments', tags: ['tickets'], summary: 'The conversation of a ticket',
      description: 'Oldest first (createdAt, then id). Customers never see internal comments.',
      params: TicketParams,
      querystring: SubListQuery,
      response: { 200: ref(TicketCommentPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { ticketId } = request.params
    const keys = keyset(request.query.cursor, { ticketId }, ['timestamp', 'uuid'])
    const page = await conversation.listComments(request.ctx, principal(request), ticketId, {
      limit: request.query.limit,
      after: keys.after('createdAt')
    })
    return {
      items: page.items.map(presentComment),
      nextCursor: keys.next(page, (last) => [iso(last.createdAt), last.id])
    }
  })

  app.get('/v1/tickets/:ticketId/comments/:commentId', {
    schema: {
      operationId: 'getTicketComment', tags: ['tickets'], summary: 'Get one comment',
      description: 'Internal comments are 404 for customers.',
      params: CommentParams,
      response: { 200: ref(TicketCommentSchema), ...problemResponses(404) }
    }
  }, async (request) => {
    const c = await conversation.getComment(request.ctx, principal(request), request.params.ticketId, request.params.commentId)
    return presentComment(c)
  })
}
