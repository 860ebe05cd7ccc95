import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as reopen from '../../application/reopen-requests.js'
import type { AppContext } from '../../application/context.js'
import { TICKET_POLICY } from '../../domain/policy/policy.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { expectedVersion, notModified, setEtag } from '../etag.js'
import { IfMatchHeaders, IfNoneMatchHeaders, NotModified, problemResponses, ref } from '../schemas/common.js'
import {
  CreateReopenRequestBody, ReopenDecisionBody, ReopenRequestListQuery, ReopenRequestPage, ReopenRequestParams, ReopenRequestSchema, SubListQuery, TicketParams
} from '../schemas/tickets.js'
import { presentReopenRequest } from '../presenters/tickets.js'
import { iso } from '../../domain/time.js'

export const REQUEST_DESCRIPTION = `"If a support ticket is closed due to lack of response, Customer may request that it be reopened."
By the customer, or by an agent on their behalf. Refused with 409 and the specific reason, checked in this order:
\`not-closed-for-no-response\` (the ticket is not closed, or was closed for another reason),
\`reopen-request-pending\` (one pending request at a time), \`reopen-window-expired\` (more than
${TICKET_POLICY.reopenWindowDays} × 24 hours after closing). 403 \`subscription-inactive\` when the subscription is not
current. \`If-Match\` (optional) refers to the ticket's ETag.`

export const APPROVE_DESCRIPTION = `Agents and admins. Reopens the ticket: status \`open\`, contact attempts reset, and a new first-response
cycle starts now with the ticket's current severity (and the organization's current plan); the previous cycle and its
met/breached result move to the ticket's \`slaHistory\`. Approving is new support, so it needs the organization's
subscription to be current (403 \`subscription-inactive\`; the request stays pending — deny it, or approve it after a
renewal). A request is decided once: 409 \`reopen-request-decided\`
afterwards. \`If-Match\` (optional) refers to the reopen request's ETag.`

export const DENY_DESCRIPTION = `Agents and admins. Needs a \`note\` telling the customer why (422 \`note-required\`); the ticket stays
closed; possible whatever the subscription. A request is decided once: 409 \`reopen-request-decided\` afterwards. \`If-Match\` (optional) refers to the
reopen request's ETag.`

export const reopenRequestRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/v1/tickets/:ticketId/reopen-requests', {
    schema: {
      operationId: 'createReopenRequest', tags: ['reopen-requests'], summary: 'Ask to reopen a ticket closed for lack of response',
      description: REQUEST_DESCRIPTION,
      params: TicketParams,
      headers: IfMatchHeaders,
      body: ref(CreateReopenRequestBody),
      response: { 201: ref(ReopenRequestSchema), ...problemResponses(404, 409, 412) }
    }
  }, async (request, reply) => {
    const r = await reopen.requestReopen(ctx, principal(request), request.params.ticketId, request.body, expectedVersion(request))
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
    const page = await reopen.listTicketReopenRequests(ctx, principal(request), ticketId, { limit: request.query.limit, after: keys.after('createdAt') })
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
    const page = await reopen.listReopenRequests(ctx, principal(request), query, { limit, after: keys.after('createdAt') })
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
    const r = await reopen.getReopenRequest(ctx, principal(request), request.params.requestId)
    setEtag(reply, r.version)
    if (notModified(request, r.version)) return await reply.code(304).send()
    return presentReopenRequest(r)
  })

  for (const decision of ['approve', 'deny'] as const) {
    app.post(`/v1/reopen-requests/:requestId/${decision}`, {
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
      const r = await reopen.decideReopen(ctx, principal(request), request.params.requestId, decision, request.body, expectedVersion(request))
      setEtag(reply, r.version)
      return presentReopenRequest(r)
    })
  }
}
