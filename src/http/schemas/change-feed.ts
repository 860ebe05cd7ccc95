import { Type } from '@sinclair/typebox'
import { Nullable, Timestamp, Uuid, ref } from './common.js'

export const ChangeEventSchema = Type.Object({
  id: Type.String({ pattern: '^[0-9]+$', description: 'Event id (decimal). Unique, but not the feed order: the feed is ordered by commit horizon, then id' }),
  type: Type.String({ description: 'e.g. ticket.created, ticket.updated, ticket.sla_at_risk, ticket.sla_breached, comment.added, severity.changed, reopen_request.created, onboarding_call.scheduled, responsibility.updated, organization.updated' }),
  occurredAt: Timestamp,
  organizationId: Nullable(Uuid),
  resource: Type.Object({
    type: Type.String({ description: 'ticket, comment, severity_change, reopen_request, onboarding_call, responsibility_item, organization, …' }),
    id: Uuid,
    version: Nullable(Type.Integer({ description: 'The resource\'s version after the change (compare with its ETag)' }))
  }, { additionalProperties: false }),
  ticketId: Nullable(Uuid),
  actor: Type.Object({
    id: Type.String({ description: 'Token subject of whoever made the change: skip your own integration\'s changes to avoid echo loops' }),
    role: Type.String()
  }, { additionalProperties: false }),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'What changed, usually { before, after }' })
}, {
  $id: 'ChangeEvent',
  additionalProperties: false,
  examples: [{
    id: '4711',
    type: 'ticket.updated',
    occurredAt: '2026-10-21T09:15:00.000Z',
    organizationId: '3f0e9a43-8f64-4f55-9d43-5cf2cbd3a0a1',
    resource: { type: 'ticket', id: '9b2d7c1e-4a5f-4e8b-9c3d-2f1a0b9e8d7c', version: 3 },
    ticketId: '9b2d7c1e-4a5f-4e8b-9c3d-2f1a0b9e8d7c',
    actor: { id: 'agent-7', role: 'agent' },
    data: { before: { assigneeId: null }, after: { assigneeId: 'agent-7' } }
  }]
})

export const ChangeFeedPage = Type.Object({
  items: Type.Array(ref(ChangeEventSchema)),
  nextCursor: Type.String({ description: 'Always set: the position after the last event handed out (or the `after` you sent when nothing new is available). Pass it as `after` to continue or to poll later' }),
  hasMore: Type.Boolean({ description: 'true: more events are available right now, fetch the next page at once; false: you are at the head of the feed, poll again later' })
}, {
  $id: 'ChangeFeedPage',
  additionalProperties: false,
  examples: [{ items: [], nextCursor: 'eyJwIjpbIjc0NiIsNDcxMV0sImYiOiJhYmMifQ', hasMore: false }]
})

export const changeFeedSchemas = [ChangeEventSchema, ChangeFeedPage]
