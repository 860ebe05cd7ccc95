import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IN_TRANSACTION } from '../plugins/idempotency.js'
import { Type } from '@sinclair/typebox'
import * as orgs from '../../application/organizations.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { expectedVersion, notModified, setEtag } from '../etag.js'
import { CursorParam, IfMatchHeaders, IfNoneMatchHeaders, Limit, NotModified, problemResponses, ref } from '../schemas/common.js'
import { CreateOrganizationBody, OrganizationPage, OrganizationParams, OrganizationSchema, UpdateOrganizationBody } from '../schemas/organizations.js'
import { iso } from '../../domain/time.js'
import { presentOrganization } from '../presenters/organizations.js'

export const organizationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/v1/organizations', {
    config: IN_TRANSACTION,
    schema: {
      operationId: 'createOrganization', tags: ['organizations'], summary: 'Create an organization (admin)',
      body: ref(CreateOrganizationBody),
      response: { 201: ref(OrganizationSchema), ...problemResponses(409, 422) }
    }
  }, async (request, reply) => {
    const b = request.body
    const org = await orgs.createOrganization(request.ctx, principal(request), {
      name: b.name,
      plan: b.plan,
      emailDomains: b.emailDomains,
      subscription: { status: b.subscription.status, termStart: new Date(b.subscription.termStart), termEnd: new Date(b.subscription.termEnd) }
    })
    setEtag(reply, org.version)
    reply.header('location', `/v1/organizations/${org.id}`)
    return await reply.code(201).send(presentOrganization(org, request.ctx.now()))
  })

  app.get('/v1/organizations', {
    schema: {
      operationId: 'listOrganizations', tags: ['organizations'], summary: 'List organizations (agents and admins)',
      description: 'Ordered by creation time, then id. A token scoped to one organization lists only that one.',
      querystring: Type.Object({ limit: Limit(), cursor: Type.Optional(CursorParam) }, { additionalProperties: false }),
      response: { 200: ref(OrganizationPage) }
    }
  }, async (request) => {
    const { limit, cursor } = request.query
    const keys = keyset(cursor, {}, ['timestamp', 'uuid'])
    const page = await orgs.listOrganizations(request.ctx, principal(request), {
      limit,
      after: keys.after('createdAt')
    })
    const now = request.ctx.now()
    return {
      items: page.items.map((o) => presentOrganization(o, now)),
      nextCursor: keys.next(page, (last) => [iso(last.createdAt), last.id])
    }
  })

  app.get('/v1/organizations/:organizationId', {
    schema: {
      operationId: 'getOrganization', tags: ['organizations'], summary: 'Get an organization (customers: their own)',
      params: OrganizationParams,
      headers: IfNoneMatchHeaders,
      response: { 200: ref(OrganizationSchema), 304: NotModified, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const org = await orgs.getOrganization(request.ctx, principal(request), request.params.organizationId)
    setEtag(reply, org.version)
    if (notModified(request, org.version)) return await reply.code(304).send()
    return presentOrganization(org, request.ctx.now())
  })

  app.patch('/v1/organizations/:organizationId', {
    schema: {
      operationId: 'updateOrganization', tags: ['organizations'], summary: 'Change name, plan or subscription (admin)',
      description: 'Plan changes apply at once: a higher plan raises onboarding entitlements immediately; what was used stays used.',
      params: OrganizationParams,
      headers: IfMatchHeaders,
      body: ref(UpdateOrganizationBody),
      response: { 200: ref(OrganizationSchema), ...problemResponses(404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const b = request.body
    const org = await orgs.updateOrganization(request.ctx, principal(request), request.params.organizationId, {
      name: b.name,
      plan: b.plan,
      emailDomains: b.emailDomains,
      subscription: b.subscription === undefined
        ? undefined
        : {
            status: b.subscription.status,
            termStart: b.subscription.termStart === undefined ? undefined : new Date(b.subscription.termStart),
            termEnd: b.subscription.termEnd === undefined ? undefined : new Date(b.subscription.termEnd)
          }
    }, expectedVersion(request))
    setEtag(reply, org.version)
    return presentOrganization(org, request.ctx.now())
  })
}
