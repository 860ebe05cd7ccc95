import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IN_TRANSACTION } from '../plugins/idempotency.js'
import * as severity from '../../application/severity-changes.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { expectedVersion } from '../etag.js'
import { IfMatchHeaders, problemResponses, ref } from '../schemas/common.js'
import { CreateSeverityChangeBody, SeverityChangePage, SeverityChangeParams, SeverityChangeSchema, SubListQuery, TicketParams } from '../schemas/tickets.js'
import { presentSeverityChange } from '../presenters/tickets.js'
import { iso } from '../../domain/time.js'
import { SEVERITY_DESCRIPTION } from '../docs/severity-changes.js'

export const severityChangeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/tickets/:ticketId/severity-changes', {
    config: IN_TRANSACTION,
    schema: {
      operationId: 'createSeverityChange', tags: ['tickets'], summary: 'Upgrade or downgrade the severity (agents and admins)',
      description: SEVERITY_DESCRIPTION,
      params: TicketParams,
      headers: IfMatchHeaders,
      body: ref(CreateSeverityChangeBody),
      response: { 201: ref(SeverityChangeSchema), ...problemResponses(404, 409, 412) }
    }
  }, async (request, reply) => {
    const { ticketId } = request.params
    const { change } = await severity.changeSeverity(request.ctx, principal(request), ticketId, request.body, expectedVersion(request))
    reply.header('location', `/v1/tickets/${ticketId}/severity-changes/${change.id}`)
    return await reply.code(201).send(presentSeverityChange(change))
  })

  app.get('/v1/tickets/:ticketId/severity-changes', {
    schema: {
      operationId: 'listSeverityChanges', tags: ['tickets'], summary: 'Severity history of a ticket',
      description: 'Oldest first (changedAt, then id).',
      params: TicketParams,
      querystring: SubListQuery,
      response: { 200: ref(SeverityChangePage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { ticketId } = request.params
    const keys = keyset(request.query.cursor, { ticketId }, ['timestamp', 'uuid'])
    const page = await severity.listSeverityChanges(request.ctx, principal(request), ticketId, {
      limit: request.query.limit,
      after: keys.after('createdAt')
    })
    return {
      items: page.items.map(presentSeverityChange),
      nextCursor: keys.next(page, (last) => [iso(last.changedAt), last.id])
    }
  })

  app.get('/v1/tickets/:ticketId/severity-changes/:changeId', {
    schema: {
      operationId: 'getSeverityChange', tags: ['tickets'], summary: 'Get one severity change',
      params: SeverityChangeParams,
      response: { 200: ref(SeverityChangeSchema), ...problemResponses(404) }
    }
  }, async (request) => {
    return presentSeverityChange(await severity.getSeverityChange(request.ctx, principal(request), request.params.ticketId, request.params.changeId))
  })
}
