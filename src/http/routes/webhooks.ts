import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import * as hooks from '../../application/webhooks.js'
import type { WebhookService } from '../../application/webhook-delivery.js'
import { DomainError } from '../../domain/errors.js'
import { iso } from '../../domain/time.js'
import { principal } from '../plugins/auth.js'
import { encodeCursor, keyset } from '../cursor.js'
import { expectedVersion, notModified, setEtag } from '../etag.js'
import { CursorParam, IfMatchHeaders, IfNoneMatchHeaders, Limit, NotModified, Uuid, problemResponses, ref } from '../schemas/common.js'
import {
  CreateWebhookEndpointBody, ReplayBody, ReplayResult, UpdateWebhookEndpointBody, WebhookDeliveryPage, WebhookDeliverySchema,
  WebhookDeliveryStatus, WebhookEndpointPage, WebhookEndpointSchema, WebhookEndpointWithSecret
} from '../schemas/webhooks.js'
import { presentEndpoint, presentDelivery } from '../presenters/webhooks.js'
import { SECURITY_NOTE } from '../docs/webhooks.js'

/** the position inside a change-feed cursor (GET /v1/events nextCursor), whatever filters it was issued for */
function feedPosition (cursor: string): { txid: string; id: number } {
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw new Error('not base64url')
    const p = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown }).p
    if (Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && /^[0-9]{1,20}$/.test(p[0]) && Number.isSafeInteger(p[1]) && (p[1] as number) >= 0) {
      return { txid: p[0], id: p[1] as number }
    }
  } catch {
    // falls through to the refusal below
  }
  throw new DomainError('invalid-cursor', 'after must be a nextCursor of GET /v1/events')
}

const EndpointParams = Type.Object({ endpointId: Uuid })
const TAGS = ['webhooks']

export const webhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (app, { webhooks }) => {
  const net = webhooks.network

  app.post('/v1/webhook-endpoints', {
    schema: {
      operationId: 'createWebhookEndpoint', tags: TAGS, summary: 'Register a webhook endpoint (admin)',
      description: `${SECURITY_NOTE}\n\nThe URL must be https and resolve only to public addresses (checked now and before every delivery); otherwise 422 webhook-url-refused. The signing secret is in this response only.`,
      body: ref(CreateWebhookEndpointBody),
      response: { 201: ref(WebhookEndpointWithSecret), ...problemResponses(404, 422) }
    }
  }, async (request, reply) => {
    const { endpoint, secret } = await hooks.createEndpoint(request.ctx, net, principal(request), request.body)
    setEtag(reply, endpoint.version)
    reply.header('location', `/v1/webhook-endpoints/${endpoint.id}`)
    return await reply.code(201).send({ ...presentEndpoint(endpoint, request.ctx.now()), secret })
  })

  app.get('/v1/webhook-endpoints', {
    schema: {
      operationId: 'listWebhookEndpoints', tags: TAGS, summary: 'List webhook endpoints (admin)',
      description: 'Ordered by creation time, then id. An organization-scoped admin token lists only its organization\'s endpoints.',
      querystring: Type.Object({ limit: Limit(), cursor: Type.Optional(CursorParam) }, { additionalProperties: false }),
      response: { 200: ref(WebhookEndpointPage) }
    }
  }, async (request) => {
    const { limit, cursor } = request.query
    const p = principal(request)
    const filters = { list: 'webhook-endpoints', org: p.orgId }
    const keys = keyset(cursor, filters, ['timestamp', 'uuid'])
    const page = await hooks.listEndpoints(request.ctx, p, { limit, after: keys.after('createdAt') })
    const now = request.ctx.now()
    return {
      items: page.items.map((e) => presentEndpoint(e, now)),
      nextCursor: keys.next(page, (last) => [iso(last.createdAt), last.id])
    }
  })

  app.get('/v1/webhook-endpoints/:endpointId', {
    schema: {
      operationId: 'getWebhookEndpoint', tags: TAGS, summary: 'Get a webhook endpoint (admin)',
      params: EndpointParams, headers: IfNoneMatchHeaders,
      response: { 200: ref(WebhookEndpointSchema), 304: NotModified, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const e = await hooks.getEndpoint(request.ctx, principal(request), request.params.endpointId)
    setEtag(reply, e.version)
    if (notModified(request, e.version)) return await reply.code(304).send()
    return presentEndpoint(e, request.ctx.now())
  })

  app.patch('/v1/webhook-endpoints/:endpointId', {
    schema: {
      operationId: 'updateWebhookEndpoint', tags: TAGS, summary: 'Change a webhook endpoint (admin)',
      description: 'Change url, eventTypes, description, or enabled. A new URL is checked like at registration.',
      params: EndpointParams, headers: IfMatchHeaders, body: ref(UpdateWebhookEndpointBody),
      response: { 200: ref(WebhookEndpointSchema), ...problemResponses(404, 412, 422) }
    }
  }, async (request, reply) => {
    const e = await hooks.updateEndpoint(request.ctx, net, principal(request), request.params.endpointId, request.body, expectedVersion(request))
    setEtag(reply, e.version)
    return presentEndpoint(e, request.ctx.now())
  })

  app.delete('/v1/webhook-endpoints/:endpointId', {
    schema: {
      operationId: 'deleteWebhookEndpoint', tags: TAGS, summary: 'Delete a webhook endpoint and its deliveries (admin)',
      params: EndpointParams, headers: IfMatchHeaders,
      response: { 204: { description: 'Deleted', type: 'null' } as const, ...problemResponses(404, 412) }
    }
  }, async (request, reply) => {
    await hooks.deleteEndpoint(request.ctx, principal(request), request.params.endpointId, expectedVersion(request))
    return await reply.code(204).send()
  })

  app.post('/v1/webhook-endpoints/:endpointId/rotate-secret', {
    schema: {
      operationId: 'rotateWebhookSecret', tags: TAGS, summary: 'Issue a new signing secret (admin)',
      description: 'Returns the new secret (only here). For 24 hours every delivery carries two signatures, one per secret, so the receiver can switch without dropping anything.',
      params: EndpointParams, headers: IfMatchHeaders,
      response: { 200: ref(WebhookEndpointWithSecret), ...problemResponses(404, 412) }
    }
  }, async (request, reply) => {
    const { endpoint, secret } = await hooks.rotateSecret(request.ctx, principal(request), request.params.endpointId, expectedVersion(request))
    setEtag(reply, endpoint.version)
    return { ...presentEndpoint(endpoint, request.ctx.now()), secret }
  })

  app.post('/v1/webhook-endpoints/:endpointId/test', {
    schema: {
      operationId: 'sendWebhookTest', tags: TAGS, summary: 'Send a webhook.test event to this endpoint (admin)',
      params: EndpointParams,
      response: { 202: ref(WebhookDeliverySchema), ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const d = await hooks.sendTestEvent(request.ctx, principal(request), request.params.endpointId)
    return await reply.code(202).send(presentDelivery({ ...d, attempts: [] }))
  })

  app.get('/v1/webhook-endpoints/:endpointId/deliveries', {
    schema: {
      operationId: 'listWebhookDeliveries', tags: TAGS, summary: 'Deliveries of an endpoint with their attempts (admin)',
      description: 'Newest first. Each delivery lists its attempts (time, status code, duration, error, first 1 KB of the response) and the next attempt.',
      params: EndpointParams,
      querystring: Type.Object({ limit: Limit(), cursor: Type.Optional(CursorParam), status: Type.Optional(ref(WebhookDeliveryStatus)) }, { additionalProperties: false }),
      response: { 200: ref(WebhookDeliveryPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { limit, cursor, status } = request.query
    const endpointId = request.params.endpointId
    const filters = { list: 'webhook-deliveries', endpointId, status }
    const keys = keyset(cursor, filters, ['timestamp', 'uuid'])
    const page = await hooks.listDeliveries(request.ctx, principal(request), endpointId, { status, limit, after: keys.after('createdAt') })
    return {
      items: page.items.map(presentDelivery),
      nextCursor: keys.next(page, (last) => [iso(last.createdAt), last.id])
    }
  })

  app.post('/v1/webhook-deliveries/:deliveryId/retry', {
    schema: {
      operationId: 'retryWebhookDelivery', tags: TAGS, summary: 'Send a delivery again now (admin)',
      description: 'A failed or succeeded delivery gets a new schedule starting now; a pending one is left as it is.',
      params: Type.Object({ deliveryId: Uuid }),
      response: { 202: ref(WebhookDeliverySchema), ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const d = await hooks.retryDelivery(request.ctx, principal(request), request.params.deliveryId)
    return await reply.code(202).send(presentDelivery({ ...d, attempts: [] }))
  })

  app.post('/v1/webhook-endpoints/:endpointId/replay', {
    schema: {
      operationId: 'replayWebhookEvents', tags: TAGS, summary: 'Send again every event after a feed position (admin)',
      description: 'Queues every event after `after` (a GET /v1/events cursor) that this endpoint receives, with the same webhook-id as the first time. At most 10,000 per call.',
      params: EndpointParams, body: ref(ReplayBody),
      response: { 202: ref(ReplayResult), ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const r = await hooks.replay(request.ctx, principal(request), request.params.endpointId, feedPosition(request.body.after))
    return await reply.code(202).send({ queued: r.queued, hasMore: r.hasMore, next: encodeCursor([r.last.txid, r.last.id], {}) })
  })
}
