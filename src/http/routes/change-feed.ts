import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import * as feed from '../../application/change-feed.js'
import { presentChangeEvent } from '../../application/change-feed.js'
import { DomainError } from '../../domain/errors.js'
import { principal } from '../plugins/auth.js'
import { decodeCursor, encodeCursor } from '../cursor.js'
import { CursorParam, Limit, Uuid, problemResponses, ref } from '../schemas/common.js'
import { ChangeFeedPage } from '../schemas/change-feed.js'
import { CHANGE_FEED_DESCRIPTION } from '../docs/change-feed.js'

const TXID = /^[0-9]{1,20}$/
const START = ['0', 0]

export const changeFeedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/events', {
    schema: {
      operationId: 'listChangeEvents', tags: ['events'], summary: 'Change feed: every change, in order, never skipping',
      description: CHANGE_FEED_DESCRIPTION,
      querystring: Type.Object({
        after: Type.Optional({ ...CursorParam, description: 'The nextCursor of the previous page; absent: from the beginning' }),
        limit: Limit(500, 100),
        types: Type.Optional(Type.String({ pattern: '^[a-z0-9_.-]+(,[a-z0-9_.-]+)*$', maxLength: 2000, description: 'Comma-separated event types to include', examples: ['ticket.created,ticket.updated'] })),
        organizationId: Type.Optional({ ...Uuid, description: 'Only this organization (agents and admins; customers always read their own)' })
      }, { additionalProperties: false }),
      response: { 200: ref(ChangeFeedPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { after, limit, organizationId } = request.query
    const types = request.query.types === undefined ? undefined : [...new Set(request.query.types.split(','))].sort()
    const scope = feed.feedScope(principal(request), organizationId)
    const filters = { feed: 'events', types: types?.join(','), organizationId: scope.organizationId, internal: scope.includeInternal }
    const pos = decodeCursor(after, filters, ['xid', 'id'])
    if (pos !== undefined && (!TXID.test(pos[0] as string) || !Number.isSafeInteger(pos[1]) || (pos[1] as number) < 0)) {
      throw new DomainError('invalid-cursor', 'The cursor is malformed; use nextCursor exactly as returned')
    }
    const page = await feed.readChangeFeed(request.ctx, scope, {
      limit,
      types,
      after: pos === undefined ? undefined : { txid: pos[0] as string, id: pos[1] as number }
    })
    const last = page.items.at(-1)
    return {
      items: page.items.map(presentChangeEvent),
      nextCursor: encodeCursor(last !== undefined ? [last.txid, last.id] : (pos ?? START), filters),
      hasMore: page.hasMore
    }
  })
}
