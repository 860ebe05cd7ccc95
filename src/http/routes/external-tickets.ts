import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IN_TRANSACTION } from '../plugins/idempotency.js'
import * as external from '../../application/external-tickets.js'
import { DomainError } from '../../domain/errors.js'
import { principal } from '../plugins/auth.js'
import { expectedVersion, setEtag, versionOfIfMatch } from '../etag.js'
import { presentTicket } from '../presenters/tickets.js'
import { problemResponses, ref } from '../schemas/common.js'
import { BATCH_MAX_ITEMS, BatchParams, ExternalTicketBatchBody, ExternalTicketBatchItem, ExternalTicketBatchResponse, ExternalTicketParams, UpsertExternalTicketBody, UpsertPreconditionHeaders } from '../schemas/external-tickets.js'
import { allSchemas } from '../schemas/index.js'
import { buildValidatorFactory } from '../validation.js'
import { problemOf, validationErrors, type AjvLikeError } from '../plugins/errors.js'
import type { Static } from '@sinclair/typebox'
import { TicketSchema } from '../schemas/tickets.js'
import { upsertInputOf } from '../presenters/external-tickets.js'
import { UPSERT_DESCRIPTION, BATCH_DESCRIPTION } from '../docs/external-tickets.js'

export const externalTicketRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.put('/v1/organizations/:organizationId/external-tickets/:system/:externalId', {
    schema: {
      operationId: 'upsertExternalTicket', tags: ['tickets'], summary: 'Create or update a ticket by its reference in your system',
      description: UPSERT_DESCRIPTION,
      params: ExternalTicketParams,
      headers: UpsertPreconditionHeaders,
      body: ref(UpsertExternalTicketBody),
      response: { 200: ref(TicketSchema), 201: ref(TicketSchema), ...problemResponses(404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const { organizationId, system, externalId } = request.params
    const b = request.body
    const result = await external.upsertExternalTicket(request.ctx, principal(request), { organizationId, system, externalId }, upsertInputOf(b), {
      version: expectedVersion(request),
      mustExist: request.headers['if-match'] !== undefined,
      mustNotExist: request.headers['if-none-match'] !== undefined
    })
    setEtag(reply, result.view.ticket.version)
    if (result.created) reply.header('location', `/v1/tickets/${result.view.ticket.id}`)
    return await reply.code(result.created ? 201 : 200).send(presentTicket(result.view))
  })
}

type BatchItemBody = Static<typeof ExternalTicketBatchItem>

/**
 * Items are validated one by one (so one malformed record does not refuse the others): the route's body validator
 * checks only the envelope, each item is then checked against ExternalTicketBatchItem with the service's exact validator.
 */
const validators = buildValidatorFactory()(Object.fromEntries(allSchemas.map((s) => [s.$id as string, s])))
const validateItem = validators({ schema: ExternalTicketBatchItem, httpPart: 'body' })
const envelopeOk = (body: unknown): boolean => {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false
  const keys = Object.keys(body)
  const items = (body as { items?: unknown }).items
  return keys.length === 1 && keys[0] === 'items' && Array.isArray(items) && items.length >= 1 && items.length <= BATCH_MAX_ITEMS
}

function itemOf (raw: unknown, index: number): external.BatchItem | DomainError {
  if (!validateItem(raw)) {
    const errors = validationErrors((validateItem.errors ?? []) as AjvLikeError[], 'body', `/items/${index}`)
    return new DomainError('validation-failed', errors.map((e) => `${e.path} ${e.message}`).join('; '), { errors })
  }
  const b = raw as BatchItemBody
  let version: number | undefined
  try { version = versionOfIfMatch(b.ifMatch) } catch (err) { return err as DomainError }
  return {
    system: b.system,
    externalId: b.externalId,
    input: upsertInputOf(b),
    pre: { version, mustExist: b.ifMatch !== undefined, mustNotExist: b.ifNoneMatch !== undefined }
  }
}

const stringAt = (raw: unknown, key: string): string | null => {
  const v = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[key] : undefined
  return typeof v === 'string' && v.length <= 200 ? v : null
}

export const externalTicketBatchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/organizations/:organizationId/external-tickets/batch', {
    config: IN_TRANSACTION,
    schema: {
      operationId: 'upsertExternalTicketBatch', tags: ['tickets'], summary: 'Create or update up to 100 tickets by their references in your system',
      description: BATCH_DESCRIPTION,
      params: BatchParams,
      body: ref(ExternalTicketBatchBody),
      response: { 200: ref(ExternalTicketBatchResponse), ...problemResponses(404) }
    },
    validatorCompiler: ({ schema, httpPart }) => {
      if (httpPart !== 'body') return validators({ schema: schema as never, httpPart })
      return (body: unknown) => envelopeOk(body)
        ? true
        : { error: new DomainError('validation-failed', `The body must be { "items": [ 1–${BATCH_MAX_ITEMS} upserts ] }`, { errors: [{ path: '/items', message: `must be an array of 1–${BATCH_MAX_ITEMS} items and the only field` }] }) }
    }
  }, async (request, reply) => {
    const raw = request.body.items as unknown[]
    const outcomes = await external.upsertExternalTicketBatch(request.ctx, principal(request), request.params.organizationId, raw.map(itemOf))
    const base = request.url.split('?')[0] ?? ''
    const results = outcomes.map((o, index) => {
      const ids = { index, system: stringAt(raw[index], 'system'), externalId: stringAt(raw[index], 'externalId') }
      if (o.ok) return { ...ids, status: o.result.created ? 201 : 200, ticket: presentTicket(o.result.view) }
      const problem = problemOf(o.error.code, o.error.message, o.error.extras)
      return { ...ids, status: problem.status, problem: { ...problem, instance: `${base}#/items/${index}` } }
    })
    return await reply.code(200).send({ results })
  })
}
