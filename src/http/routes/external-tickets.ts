import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as external from '../../application/external-tickets.js'
import type { AppContext } from '../../application/context.js'
import { DomainError } from '../../domain/errors.js'
import { principal } from '../plugins/auth.js'
import { expectedVersion, setEtag } from '../etag.js'
import { presentTicket } from '../presenters/tickets.js'
import { problemResponses, ref } from '../schemas/common.js'
import { ExternalTicketParams, UpsertExternalTicketBody, UpsertPreconditionHeaders } from '../schemas/external-tickets.js'
import { TicketSchema } from '../schemas/tickets.js'

/** the GET /v1/tickets filter pair: both or neither */
export function externalRefFilter (system: string | undefined, externalId: string | undefined): { externalSystem?: string; externalId?: string } {
  if (system === undefined && externalId === undefined) return {}
  if (system === undefined || externalId === undefined) {
    const missing = system === undefined ? 'externalSystem' : 'externalId'
    throw new DomainError('validation-failed', 'externalSystem and externalId go together', { errors: [{ path: `query.${missing}`, message: 'is required with the other' }] })
  }
  return { externalSystem: system, externalId }
}

const DESCRIPTION = `Creates or updates the ticket that carries this external reference — safe to call from several workers at once and to
retry: one reference never names two tickets, also under concurrent calls.

- **Absent** → the ticket is opened (201, \`Location\`, \`ETag\`) with the same rules as \`POST /v1/tickets\` (403 \`subscription-inactive\`,
  422 \`channel-not-in-plan\`) and the reference attached.
- **Present** → the fields an integrator may set are applied (200): \`subject\`, \`description\`, \`category\` (agents and admins;
  customers may change subject and description of tickets that are not closed), \`tags\` (agents and admins) and the reference's \`url\`. \`severity\`,
  \`channel\` and \`requester\` are creation-only and ignored here. A PUT that changes nothing keeps the version and writes no event.
- \`If-Match: "<version>"\` makes the update conditional (stale → 412, nothing changes); any \`If-Match\` on an absent reference is 412.
  \`If-None-Match: *\` creates only (412 when it exists).`

export const externalTicketRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.put('/v1/organizations/:organizationId/external-tickets/:system/:externalId', {
    schema: {
      operationId: 'upsertExternalTicket', tags: ['tickets'], summary: 'Create or update a ticket by its reference in your system',
      description: DESCRIPTION,
      params: ExternalTicketParams,
      headers: UpsertPreconditionHeaders,
      body: ref(UpsertExternalTicketBody),
      response: { 200: ref(TicketSchema), 201: ref(TicketSchema), ...problemResponses(404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const { organizationId, system, externalId } = request.params
    const b = request.body
    const result = await external.upsertExternalTicket(ctx, principal(request), { organizationId, system, externalId }, {
      subject: b.subject,
      description: b.description,
      severity: b.severity,
      channel: b.channel,
      requester: b.requester,
      category: b.category,
      tags: b.tags,
      url: b.url
    }, {
      version: expectedVersion(request),
      mustExist: request.headers['if-match'] !== undefined,
      mustNotExist: request.headers['if-none-match'] !== undefined
    })
    setEtag(reply, result.view.ticket.version)
    if (result.created) reply.header('location', `/v1/tickets/${result.view.ticket.id}`)
    return await reply.code(result.created ? 201 : 200).send(presentTicket(result.view))
  })
}
