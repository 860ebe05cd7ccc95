import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import * as resp from '../../application/responsibilities.js'
import { RESPONSIBILITY_KEYS } from '../../domain/policy/responsibilities.js'
import { principal } from '../plugins/auth.js'
import { expectedVersion, notModified, setEtag } from '../etag.js'
import { IfMatchHeaders, IfNoneMatchHeaders, NotModified, Uuid, problemResponses, ref } from '../schemas/common.js'
import {
  ResponsibilityChecklistSchema,
  ResponsibilityItemSchema,
  SetTechnicalRepresentativeBody,
  TechnicalRepresentativeSchema,
  UpdateResponsibilityBody
} from '../schemas/responsibilities.js'
import { presentItem, presentRepresentative } from '../presenters/responsibilities.js'
import { WHO, keysWhere } from '../docs/responsibilities.js'

const OrganizationParams = Type.Object({ organizationId: Uuid })
const ItemParams = Type.Object({
  organizationId: Uuid,
  key: Type.String({ minLength: 1, maxLength: 100, description: `One of ${RESPONSIBILITY_KEYS.join(', ')}; another key is 404`, examples: ['dns-records'] })
})

export const responsibilityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/organizations/:organizationId/responsibilities', {
    schema: {
      operationId: 'listResponsibilities', tags: ['responsibilities'], summary: 'The customer-responsibilities checklist',
      description: `${WHO} The five duties of the terms in a fixed order. dns-restore-at-term-end is due at the subscription's termEnd and overdue after it unless done or not_applicable.`,
      params: OrganizationParams,
      response: { 200: ref(ResponsibilityChecklistSchema), ...problemResponses(404) }
    }
  }, async (request) => {
    const list = await resp.getChecklist(request.ctx, principal(request), request.params.organizationId)
    return { organizationId: request.params.organizationId, items: list.items.map(presentItem), summary: list.summary }
  })

  app.get('/v1/organizations/:organizationId/responsibilities/:key', {
    schema: {
      operationId: 'getResponsibility', tags: ['responsibilities'], summary: 'One checklist item (with its ETag)',
      params: ItemParams,
      headers: IfNoneMatchHeaders,
      response: { 200: ref(ResponsibilityItemSchema), 304: NotModified, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const item = await resp.getResponsibility(request.ctx, principal(request), request.params.organizationId, request.params.key)
    setEtag(reply, item.version)
    if (notModified(request, item.version)) return await reply.code(304).send()
    return presentItem(item)
  })

  app.patch('/v1/organizations/:organizationId/responsibilities/:key', {
    schema: {
      operationId: 'updateResponsibility', tags: ['responsibilities'], summary: 'Update a checklist item',
      description: `${WHO} Set status, note or evidenceUrl (null clears a note or URL). The status of technical-representative follows ` +
        'the representative (PUT/DELETE /technical-representative): another status is 409 responsibility-status-managed. ' +
        `not_applicable: ${keysWhere('never')} are mandatory under the terms (422 responsibility-mandatory, for everyone); ` +
        `${keysWhere('staff')} may be marked not_applicable by agents and admins only (customers 403 field-not-allowed). Unknown key → 404. ` +
        'Send If-Match with the item\'s ETag (stale → 412).',
      params: ItemParams,
      headers: IfMatchHeaders,
      body: ref(UpdateResponsibilityBody),
      response: { 200: ref(ResponsibilityItemSchema), ...problemResponses(404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const { organizationId, key } = request.params
    const item = await resp.updateResponsibility(request.ctx, principal(request), organizationId, key, request.body, expectedVersion(request))
    setEtag(reply, item.version)
    return presentItem(item)
  })

  app.get('/v1/organizations/:organizationId/technical-representative', {
    schema: {
      operationId: 'getTechnicalRepresentative', tags: ['responsibilities'], summary: 'The organization\'s technical representative',
      description: `${WHO} 404 when none is set.`,
      params: OrganizationParams,
      headers: IfNoneMatchHeaders,
      response: { 200: ref(TechnicalRepresentativeSchema), 304: NotModified, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const rep = await resp.getRepresentative(request.ctx, principal(request), request.params.organizationId)
    setEtag(reply, rep.version)
    if (notModified(request, rep.version)) return await reply.code(304).send()
    return presentRepresentative(rep)
  })

  app.put('/v1/organizations/:organizationId/technical-representative', {
    schema: {
      operationId: 'setTechnicalRepresentative', tags: ['responsibilities'], summary: 'Assign the technical representative',
      description: `${WHO} Records the representative with the authority to approve or deny sending services and marks the ` +
        'technical-representative item done. 201 when none was set before, 200 when replaced. If-Match (optional) guards a replacement.',
      params: OrganizationParams,
      headers: IfMatchHeaders,
      body: ref(SetTechnicalRepresentativeBody),
      response: { 200: ref(TechnicalRepresentativeSchema), 201: ref(TechnicalRepresentativeSchema), ...problemResponses(404, 412) }
    }
  }, async (request, reply) => {
    const { representative, created } = await resp.setRepresentative(request.ctx, principal(request), request.params.organizationId, request.body, expectedVersion(request))
    setEtag(reply, representative.version)
    return await reply.code(created ? 201 : 200).send(presentRepresentative(representative))
  })

  app.delete('/v1/organizations/:organizationId/technical-representative', {
    schema: {
      operationId: 'clearTechnicalRepresentative', tags: ['responsibilities'], summary: 'Clear the technical representative',
      description: `${WHO} Clears the representative and sets the technical-representative item back to pending. 404 when none is set.`,
      params: OrganizationParams,
      headers: IfMatchHeaders,
      response: { 204: { description: 'Cleared', type: 'null' }, ...problemResponses(404, 412) }
    }
  }, async (request, reply) => {
    await resp.clearRepresentative(request.ctx, principal(request), request.params.organizationId, expectedVersion(request))
    return await reply.code(204).send()
  })
}
