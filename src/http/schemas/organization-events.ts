import { Type } from '@sinclair/typebox'
import { Nullable, Page, Timestamp, Uuid, ref, Count, Subject, Role } from './common.js'

export const OrganizationEventSchema = Type.Object({
  id: Type.String({ pattern: '^[0-9]+$', maxLength: 20, description: 'Event id (decimal); events are listed in id order' }),
  type: Type.String({ maxLength: 100, description: 'e.g. onboarding_call.scheduled, responsibility.updated, technical_representative.set' }),
  occurredAt: Timestamp,
  organizationId: Uuid,
  resource: Type.Object({
    type: Type.String({ maxLength: 100, description: 'onboarding_call, responsibility_item, technical_representative, organization, ticket, …' }),
    id: Uuid,
    version: Nullable(Count({ description: 'The resource\'s version after the change' }))
  }, { additionalProperties: false }),
  ticketId: Nullable(Uuid),
  visibility: Type.Union([Type.Literal('public'), Type.Literal('internal')], { description: 'internal events are shown to agents and admins only' }),
  actor: Type.Object({ id: Subject(), role: Role }, { additionalProperties: false }),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'What changed, usually { before, after }' })
}, {
  $id: 'OrganizationEvent',
  additionalProperties: false,
  examples: [{
    id: '4711',
    type: 'onboarding_call.canceled',
    occurredAt: '2026-10-21T09:15:00.000Z',
    organizationId: '3f0e9a43-8f64-4f55-9d43-5cf2cbd3a0a1',
    resource: { type: 'onboarding_call', id: '9b2d7c1e-4a5f-4e8b-9c3d-2f1a0b9e8d7c', version: 2 },
    ticketId: null,
    visibility: 'public',
    actor: { id: 'customer-1', role: 'customer' },
    data: { before: { status: 'scheduled' }, after: { status: 'canceled' } }
  }]
})

export const OrganizationEventPage = Page(ref(OrganizationEventSchema), 'OrganizationEventPage')

export const organizationEventSchemas = [OrganizationEventSchema, OrganizationEventPage]
