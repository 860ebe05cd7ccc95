import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IN_TRANSACTION } from '../plugins/idempotency.js'
import { Type } from '@sinclair/typebox'
import * as onboarding from '../../application/onboarding.js'
import { CALL_STATUSES, type CallStatus } from '../../domain/onboarding/entitlement.js'
import { principal } from '../plugins/auth.js'
import { keyset } from '../cursor.js'
import { expectedVersion, notModified, setEtag } from '../etag.js'
import { CursorParam, IfMatchHeaders, IfNoneMatchHeaders, Limit, NotModified, Uuid, problemResponses, ref } from '../schemas/common.js'
import {
  CreateOnboardingCallBody,
  OnboardingCallPage,
  OnboardingCallSchema,
  OnboardingEntitlementSchema,
  UpdateOnboardingCallBody
} from '../schemas/onboarding.js'
import { iso } from '../../domain/time.js'
import { presentCall } from '../presenters/onboarding.js'
import { BOOKING_RULES } from '../docs/onboarding.js'

const OrganizationParams = Type.Object({ organizationId: Uuid })
const CallParams = Type.Object({ callId: Uuid })

export const onboardingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/v1/organizations/:organizationId/onboarding', {
    schema: {
      operationId: 'getOnboardingEntitlement', tags: ['onboarding'], summary: 'Onboarding-call entitlement of the current term',
      description: 'entitled comes from the current plan (an upgrade raises it at once); used = completed + no_show; remaining = max(0, entitled − scheduled − used). A new term starts fresh.',
      params: OrganizationParams,
      response: { 200: ref(OnboardingEntitlementSchema), ...problemResponses(404) }
    }
  }, async (request) => {
    const e = await onboarding.getEntitlement(request.ctx, principal(request), request.params.organizationId)
    return {
      organizationId: request.params.organizationId,
      plan: e.plan,
      entitled: e.entitled,
      scheduled: e.scheduled,
      used: e.used,
      completed: e.completed,
      noShow: e.noShow,
      remaining: e.remaining,
      termStart: iso(e.termStart),
      termEnd: iso(e.termEnd),
      calendarId: e.calendarId
    }
  })

  app.post('/v1/organizations/:organizationId/onboarding-calls', {
    config: IN_TRANSACTION,
    schema: {
      operationId: 'createOnboardingCall', tags: ['onboarding'], summary: 'Book an onboarding call',
      description: `Customers of the organization, agents and admins. Uses one credit of the current term. ${BOOKING_RULES} ` +
        'Concurrent bookings are serialised per organization: with one credit left exactly one succeeds.',
      params: OrganizationParams,
      body: ref(CreateOnboardingCallBody),
      response: { 201: ref(OnboardingCallSchema), ...problemResponses(404, 409, 422) }
    }
  }, async (request, reply) => {
    const b = request.body
    const call = await onboarding.bookCall(request.ctx, principal(request), request.params.organizationId, {
      scheduledAt: new Date(b.scheduledAt),
      durationMinutes: b.durationMinutes,
      attendees: b.attendees,
      agenda: b.agenda
    })
    setEtag(reply, call.version)
    reply.header('location', `/v1/onboarding-calls/${call.id}`)
    return await reply.code(201).send(presentCall(call))
  })

  app.get('/v1/organizations/:organizationId/onboarding-calls', {
    schema: {
      operationId: 'listOnboardingCalls', tags: ['onboarding'], summary: 'List the organization\'s onboarding calls',
      description: 'Ordered by scheduledAt, then id (all terms). Filter by status.',
      params: OrganizationParams,
      querystring: Type.Object({
        status: Type.Optional(Type.Union(CALL_STATUSES.map((s) => Type.Literal(s)))),
        limit: Limit(),
        cursor: Type.Optional(CursorParam)
      }, { additionalProperties: false }),
      response: { 200: ref(OnboardingCallPage), ...problemResponses(404) }
    }
  }, async (request) => {
    const { organizationId } = request.params
    const { limit, cursor, status } = request.query
    const filters = { organizationId, status }
    const keys = keyset(cursor, filters, ['timestamp', 'uuid'])
    const page = await onboarding.listCalls(request.ctx, principal(request), organizationId, {
      limit,
      status: status as CallStatus | undefined,
      after: keys.after('scheduledAt')
    })
    return {
      items: page.items.map(presentCall),
      nextCursor: keys.next(page, (last) => [iso(last.scheduledAt), last.id])
    }
  })

  app.get('/v1/onboarding-calls/:callId', {
    schema: {
      operationId: 'getOnboardingCall', tags: ['onboarding'], summary: 'Get an onboarding call',
      params: CallParams,
      headers: IfNoneMatchHeaders,
      response: { 200: ref(OnboardingCallSchema), 304: NotModified, ...problemResponses(404) }
    }
  }, async (request, reply) => {
    const call = await onboarding.getCall(request.ctx, principal(request), request.params.callId)
    setEtag(reply, call.version)
    if (notModified(request, call.version)) return await reply.code(304).send()
    return presentCall(call)
  })

  app.patch('/v1/onboarding-calls/:callId', {
    schema: {
      operationId: 'updateOnboardingCall', tags: ['onboarding'], summary: 'Reschedule an onboarding call or change its status',
      description: 'Reschedule (scheduledAt, durationMinutes) or edit attendees/agenda: the same checks as a booking. ' +
        'Customers can move a call only before it starts (409 call-already-started from scheduledAt on); agents and admins at any time while it is scheduled. ' +
        'Or send `status` on its own: canceled (customer before the call starts, or staff; gives the credit back), ' +
        'completed or no_show (agents and admins, once the call has started; both use the credit). A call that is canceled, ' +
        'completed or no_show cannot change any more (409 invalid-call-transition). Send If-Match with the ETag (stale → 412).',
      params: CallParams,
      headers: IfMatchHeaders,
      body: ref(UpdateOnboardingCallBody),
      response: { 200: ref(OnboardingCallSchema), ...problemResponses(404, 409, 412, 422) }
    }
  }, async (request, reply) => {
    const b = request.body
    const call = await onboarding.updateCall(request.ctx, principal(request), request.params.callId, {
      scheduledAt: b.scheduledAt === undefined ? undefined : new Date(b.scheduledAt),
      durationMinutes: b.durationMinutes,
      attendees: b.attendees,
      agenda: b.agenda,
      status: b.status
    }, expectedVersion(request))
    setEtag(reply, call.version)
    return presentCall(call)
  })
}
