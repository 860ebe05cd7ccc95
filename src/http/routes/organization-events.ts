import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import * as history from '../../application/organization-events.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { CursorParam, Limit, Uuid, problemResponses, ref } from '../schemas/common.js'
import { OrganizationEventPage } from '../schemas/organization-events.js'
import { presentEvent } from '../presenters/organization-events.js'

export const organizationEventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/organizations/:organizationId/events', {
    schema: {
      operationId: 'listOrganizationEvents', tags: ['events'], summary: 'History of an organization',
      description: 'Every recorded change of the organization (onboarding calls, checklist items, technical representative, tickets, ' +
        'the organization itself) with actor and time, newest first by default (order=oldest for the reverse). Customers see their own ' +
        'organization only and never internal events. For a feed that never skips concurrent commits use the change feed.',
      params: Type.Object({ organizationId: Uuid }),
      querystring: Type.Object({
        order: Type.Union([Type.Literal('newest'), Type.Literal('oldest')], { default: 'newest' }),
        type: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only events of this type', examples: ['onboarding_call.canceled'] })),
        resourceId: Type.Optional(Uuid),
        limit: Limit(),
        cursor: Type.Optional(CursorParam)
      }, { additionalProperties: false }),
      response: { 200: ref(OrganizationEventPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { organizationId } = request.params
    const { order, type, resourceId, limit, cursor } = request.query
    const p = principal(request)
    const filters = { organizationId, order, type, resourceId, subject: p.subject }
    const keys = keyset(cursor, filters, ['id'])
    const page = await history.listEvents(request.ctx, p, organizationId, { limit, order, type, resourceId, afterId: keys.position?.[0] as number | undefined })
    return {
      items: page.items.map(presentEvent),
      nextCursor: keys.next(page, (last) => [last.id])
    }
  })
}
