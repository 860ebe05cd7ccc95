import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IN_TRANSACTION } from '../plugins/idempotency.js'
import * as reopen from '../../application/reopen-requests.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { expectedVersion, notModified, setEtag } from '../etag.js'
import { IfMatchHeaders, IfNoneMatchHeaders, NotModified, problemResponses, ref } from '../schemas/common.js'
import {
  CreateReopenRequestBody, ReopenDecisionBody, ReopenRequestListQuery, ReopenRequestPage, ReopenRequestParams, ReopenRequestSchema, SubListQuery, TicketParams
} from '../schemas/tickets.js'
import { presentReopenRequest } from '../presenters/tickets.js'
import { iso } from '../../domain/time.js'
import { REQUEST_DESCRIPTION, APPROVE_DESCRIPTION, DENY_DESCRIPTION } from '../docs/reopen-requests.js'

export const reopenRequestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/tickets/:ticketId/reopen-requests', {
    config: IN_TRANSACTION,
    schema: {
      operationId: 'createReopenRequest', tags: ['reopen-requests'], summary: 'Ask to reopen a ticket closed for lack of response',
      description: REQUEST_DESCRIPTION,
      params: TicketParams,
      headers: IfMatchHeaders,
      body: ref(CreateReopenRequestBody),
      response: { 201: ref(ReopenRequestSchema), ...problemResponses(404, 409, 412) }
    }
  }, async (request, reply) => {
    const r = await reopen.requestReopen(request.ctx, principal(request), request.params.ticketId, request.body, expectedVersion(request))
    setEtag(reply, r.version)
    reply.header('location', `/v1/reopen-requests/${r.id}`)
    return await reply.code(201).send(presentReopenRequest(r))
  })

  app.get('/v1/tickets/:ticketId/reopen-requests', {
    schema: {
      operationId: 'listTicketReopenRequests', tags: ['reopen-requests'], summary: 'Reopen requests of a ticket',
      description: 'Oldest first (createdAt, then id).',
      params: TicketParams,
      querystring: SubListQuery,
      response: { 200: ref(ReopenRequestPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { ticketId } = request.params
    const keys = keyset(request.query.cursor, { ticketId }, ['timestamp', 'uuid'])
    const page = await reopen.listTicketReopenRequests(request.ctx, principal(request), ticketId, { limit: request.query.limit, after: keys.after('createdAt') })
    return {
      items: page.items.map(presentReopenRequest),
      nextCursor: keys.next(page, (last) => [iso(last.createdAt), last.id])
    }
  })

  app.get('/v1/reopen-requests', {
    schema: {
      operationId: 'listReopenRequests', tags: ['reopen-requests'], summary: 'Reopen requests (the agents\' queue with status=pending)',
      description: 'Oldest first (createdAt, then id): a queue is worked first come, first served. Customers see only their organization\'s requests.',
      querystring: ReopenRequestListQuery,
      response: { 200: ref(ReopenRequestPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { limit, cursor, ...query } = request.query
    const keys = keyset(cursor, query, ['timestamp', 'uuid'])
    const page = await reopen.listReopenRequests(request.ctx, principal(request), query, { limit, after: keys.after('createdAt') })
    return {
      items: page.items.map(presentReopenRequest),
      nextCursor: keys.next(page, (last) => [iso(last.createdAt), last.id])
    }
  })

  app.get('/v1/reopen-requests/:requestId', {
    schema: {
      operationId: 'getReopenRequest', tags: ['reopen-requests'], summary: 'Get a reopen request',
      params: ReopenRequestParams,
      headers: IfNoneMatchHeaders,
      response: { 200: ref(ReopenRequestSchema), 304: NotModified, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const r = await reopen.getReopenRequest(request.ctx, principal(request), request.params.requestId)
    setEtag(reply, r.version)
    if (notModified(request, r.version)) return await reply.code(304).send()
    return presentReopenRequest(r)
  })

  for (const decision of ['approve', 'deny'] as const) {
    app.post(`/v1/reopen-requests/:requestId/${decision}`, {
      config: IN_TRANSACTION,
      schema: {
        operationId: decision === 'approve' ? 'approveReopenRequest' : 'denyReopenRequest',
        tags: ['reopen-requests'],
        summary: decision === 'approve' ? 'Approve a reopen request: reopens the ticket (agents and admins)' : 'Deny a reopen request (agents and admins)',
        description: decision === 'approve' ? APPROVE_DESCRIPTION : DENY_DESCRIPTION,
        params: ReopenRequestParams,
        headers: IfMatchHeaders,
        body: ref(ReopenDecisionBody),
        response: { 200: ref(ReopenRequestSchema), ...problemResponses(404, 409, 412, 422) }
      }
    }, async (request, reply) => {
      const r = await reopen.decideReopen(request.ctx, principal(request), request.params.requestId, decision, request.body, expectedVersion(request))
      setEtag(reply, r.version)
      return presentReopenRequest(r)
    })
  }
}
