import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IN_TRANSACTION } from '../plugins/idempotency.js'
import { sortValue } from '../../domain/tickets/listing.js'
import * as tickets from '../../application/tickets.js'
import { listTicketEvents } from '../../application/ticket-events.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { expectedVersion, notModified, setEtag } from '../etag.js'
import { IfMatchHeaders, IfNoneMatchHeaders, NotModified, problemResponses, ref } from '../schemas/common.js'
import {
  CloseTicketBody, CreateTicketBody, SubListQuery, TicketCountQuery, TicketCountsSchema, TicketEventPage, TicketListQuery, TicketPage, TicketParams, TicketSchema, UpdateTicketBody
} from '../schemas/tickets.js'
import { openingInputOf, presentTicket, presentTicketEvent, listFilters } from '../presenters/tickets.js'
import { iso } from '../../domain/time.js'
import { PATCH_DESCRIPTION, CLOSE_DESCRIPTION, CREATE_TICKET_DESCRIPTION, LIST_TICKETS_DESCRIPTION, COUNT_TICKETS_DESCRIPTION, LIST_TICKET_EVENTS_DESCRIPTION } from '../docs/tickets.js'

export const ticketRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/tickets', {
    config: IN_TRANSACTION,
    schema: {
      operationId: 'createTicket', tags: ['tickets'], summary: 'Open a ticket',
      description: CREATE_TICKET_DESCRIPTION,
      body: ref(CreateTicketBody),
      response: { 201: ref(TicketSchema), ...problemResponses(404, 422) }
    }
  }, async (request, reply) => {
    const b = request.body
    const view = await tickets.createTicket(request.ctx, principal(request), {
      organizationId: b.organizationId,
      ...openingInputOf(b),
      suggestedArticleIds: b.suggestedArticleIds,
      attachmentIds: b.attachmentIds
    })
    setEtag(reply, view.ticket.version)
    reply.header('location', `/v1/tickets/${view.ticket.id}`)
    return await reply.code(201).send(presentTicket(view))
  })

  app.get('/v1/tickets', {
    schema: {
      operationId: 'listTickets', tags: ['tickets'], summary: 'List tickets',
      description: LIST_TICKETS_DESCRIPTION,
      querystring: TicketListQuery,
      response: { 200: ref(TicketPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { limit, cursor, sort: given, ...query } = request.query
    const sort = given ?? 'createdAt'
    // a cursor belongs to its filters and its sort (createdAt cursors keep the fingerprint they had before sorts existed)
    const issuedFor: Record<string, unknown> = sort === 'createdAt' ? query : { ...query, sort }
    const keys = keyset(cursor, issuedFor, ['timestamp', 'uuid'])
    const page = await tickets.listTickets(request.ctx, principal(request), listFilters(query), {
      limit, sort, after: keys.after('at')
    })
    return {
      items: page.items.map(presentTicket),
      nextCursor: keys.next(page, ({ ticket: last }) => [iso(sortValue(last, sort)), last.id])
    }
  })

  app.get('/v1/tickets/counts', {
    schema: {
      operationId: 'countTickets', tags: ['tickets'], summary: 'Count tickets by status, priority, SLA status or assignee',
      description: COUNT_TICKETS_DESCRIPTION,
      querystring: TicketCountQuery,
      response: { 200: ref(TicketCountsSchema), ...problemResponses(404) }
    }
  }, async (request) => {
    const { groupBy, ...query } = request.query
    return await tickets.countTickets(request.ctx, principal(request), listFilters(query), groupBy)
  })

  app.get('/v1/tickets/:ticketId', {
    schema: {
      operationId: 'getTicket', tags: ['tickets'], summary: 'Get a ticket',
      description: 'The `sla` object is computed at read time (status and remaining business seconds). `If-None-Match` with the current ETag gives 304.',
      params: TicketParams,
      headers: IfNoneMatchHeaders,
      response: { 200: ref(TicketSchema), 304: NotModified, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const view = await tickets.getTicket(request.ctx, principal(request), request.params.ticketId)
    setEtag(reply, view.ticket.version)
    if (notModified(request, view.ticket.version)) return await reply.code(304).send()
    return presentTicket(view)
  })

  app.patch('/v1/tickets/:ticketId', {
    schema: {
      operationId: 'updateTicket', tags: ['tickets'], summary: 'Change subject, description, category or assignee',
      description: PATCH_DESCRIPTION,
      params: TicketParams,
      headers: IfMatchHeaders,
      body: ref(UpdateTicketBody),
      response: { 200: ref(TicketSchema), ...problemResponses(404, 409, 412) }
    }
  }, async (request, reply) => {
    const b = request.body
    const view = await tickets.updateTicket(request.ctx, principal(request), request.params.ticketId, {
      subject: b.subject, description: b.description, category: b.category, assigneeId: b.assigneeId, tags: b.tags
    }, expectedVersion(request))
    setEtag(reply, view.ticket.version)
    return presentTicket(view)
  })

  app.post('/v1/tickets/:ticketId/close', {
    config: IN_TRANSACTION,
    schema: {
      operationId: 'closeTicket', tags: ['tickets'], summary: 'Close a ticket (agents and admins)',
      description: CLOSE_DESCRIPTION,
      params: TicketParams,
      headers: IfMatchHeaders,
      body: ref(CloseTicketBody),
      response: { 200: ref(TicketSchema), ...problemResponses(404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const view = await tickets.closeTicket(request.ctx, principal(request), request.params.ticketId, request.body, expectedVersion(request))
    setEtag(reply, view.ticket.version)
    return presentTicket(view)
  })

  app.get('/v1/tickets/:ticketId/events', {
    schema: {
      operationId: 'listTicketEvents', tags: ['events'], summary: 'A ticket\'s audit trail',
      description: LIST_TICKET_EVENTS_DESCRIPTION,
      params: TicketParams,
      querystring: SubListQuery,
      response: { 200: ref(TicketEventPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { ticketId } = request.params
    const keys = keyset(request.query.cursor, { ticketId }, ['id'])
    const page = await listTicketEvents(request.ctx, principal(request), ticketId, { limit: request.query.limit, afterId: keys.position?.[0] as number | undefined })
    return {
      items: page.items.map(presentTicketEvent),
      nextCursor: keys.next(page, (last) => [last.id])
    }
  })
}
