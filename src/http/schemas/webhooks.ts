import { Type } from '@sinclair/typebox'
import { Nullable, Timestamp, Uuid, ref } from './common.js'

const EventType = Type.String({ pattern: '^[a-z0-9_.-]{1,100}$', maxLength: 100 })
const Url = Type.String({ minLength: 1, maxLength: 2000, format: 'uri', description: 'https:// URL on a public address' })
const Description = Type.String({ maxLength: 500 })
const EventTypes = Type.Array(EventType, { minItems: 1, maxItems: 100, uniqueItems: true, description: 'Only these event types; null or absent: every type' })
const Secret = Type.String({ pattern: '^whsec_[A-Za-z0-9+/=]{32,200}$', maxLength: 206, description: 'Signing secret (Standard Webhooks: whsec_ + base64 of 32 random bytes). Shown only here: store it' })

export const WebhookEndpointSchema = Type.Object({
  id: Uuid,
  organizationId: Nullable({ ...Uuid, description: 'The organization whose public events it receives; null: a global endpoint (every organization, internal events included)' }),
  url: Url,
  description: Nullable(Description),
  eventTypes: Nullable(EventTypes),
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.Union([Type.Literal('gone'), Type.Literal('failing')], { description: 'Set when the service disabled it: gone (answered 410), failing (5 days of failures)' })),
  secretRotationEndsAt: Nullable({ ...Timestamp, description: 'Until then deliveries also carry a signature with the previous secret' }),
  version: Type.Integer({ minimum: 1, maximum: 2147483647, format: 'int32' }),
  createdAt: Timestamp,
  updatedAt: Timestamp
}, {
  $id: 'WebhookEndpoint',
  additionalProperties: false,
  examples: [{ id: '5d9c1c8e-0a7e-4f4e-9a51-3f0b8f9b2a10', organizationId: null, url: 'https://hooks.example.com/support-desk', description: 'CRM sync', eventTypes: null, enabled: true, disabledReason: null, secretRotationEndsAt: null, version: 1, createdAt: '2026-11-26T14:30:00.000Z', updatedAt: '2026-11-26T14:30:00.000Z' }]
})

export const WebhookEndpointWithSecret = Type.Object({
  ...WebhookEndpointSchema.properties,
  secret: Secret
}, { $id: 'WebhookEndpointWithSecret', additionalProperties: false })

export const WebhookEndpointPage = Type.Object({
  items: Type.Array(ref(WebhookEndpointSchema), { maxItems: 100 }),
  nextCursor: Nullable(Type.String({ maxLength: 2048, description: 'Pass as `cursor` to get the next page; null on the last page' }))
}, { $id: 'WebhookEndpointPage', additionalProperties: false })

export const CreateWebhookEndpointBody = Type.Object({
  url: Url,
  eventTypes: Type.Optional(Nullable(EventTypes)),
  description: Type.Optional(Nullable(Description)),
  organizationId: Type.Optional({ ...Uuid, description: 'Global admins: make it an organization\'s endpoint. Organization-scoped tokens: always their own' })
}, {
  $id: 'CreateWebhookEndpoint',
  additionalProperties: false,
  examples: [{ url: 'https://hooks.example.com/support-desk', eventTypes: ['ticket.created', 'ticket.updated'], description: 'CRM sync' }]
})

export const UpdateWebhookEndpointBody = Type.Object({
  url: Type.Optional(Url),
  eventTypes: Type.Optional(Nullable(EventTypes)),
  description: Type.Optional(Nullable(Description)),
  enabled: Type.Optional(Type.Boolean({ description: 'true re-enables an endpoint the service disabled (and resets its failure count)' }))
}, { $id: 'UpdateWebhookEndpoint', additionalProperties: false, minProperties: 1, examples: [{ enabled: false }] })

export const WebhookAttemptSchema = Type.Object({
  attemptedAt: Timestamp,
  statusCode: Nullable(Type.Integer({ minimum: 100, maximum: 599, format: 'int32' })),
  durationMs: Type.Integer({ minimum: 0, maximum: 2147483647, format: 'int32' }),
  error: Nullable(Type.String({ maxLength: 500, description: 'timeout, connection error, refused address…' })),
  responseExcerpt: Nullable(Type.String({ maxLength: 1024, description: 'The first 1 KB of the response body' }))
}, { $id: 'WebhookAttempt', additionalProperties: false })

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const
export const WebhookDeliveryStatus = Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s)), { $id: 'WebhookDeliveryStatus' })

export const WebhookDeliverySchema = Type.Object({
  id: Uuid,
  endpointId: Uuid,
  eventId: Type.String({ pattern: '^[0-9]{1,20}$', maxLength: 20 }),
  eventType: EventType,
  webhookId: Type.String({ maxLength: 100, description: 'The webhook-id header: the same for every attempt and replay of this event to this endpoint' }),
  status: ref(WebhookDeliveryStatus),
  attempts: Type.Array(ref(WebhookAttemptSchema), { maxItems: 1000 }),
  nextAttemptAt: Nullable(Timestamp),
  createdAt: Timestamp
}, { $id: 'WebhookDelivery', additionalProperties: false })

export const WebhookDeliveryPage = Type.Object({
  items: Type.Array(ref(WebhookDeliverySchema), { maxItems: 100 }),
  nextCursor: Nullable(Type.String({ maxLength: 2048, description: 'Pass as `cursor` to get the next page; null on the last page' }))
}, { $id: 'WebhookDeliveryPage', additionalProperties: false })

export const ReplayBody = Type.Object({
  after: Type.String({ minLength: 1, maxLength: 2048, description: 'A change-feed cursor (nextCursor of GET /v1/events): everything after it is sent again' })
}, { $id: 'WebhookReplay', additionalProperties: false })

export const ReplayResult = Type.Object({
  queued: Type.Integer({ minimum: 0, maximum: 1000000, format: 'int32', description: 'Deliveries queued' }),
  hasMore: Type.Boolean({ description: 'true: the limit (10,000 per call) was reached; call again with `next`' }),
  next: Type.String({ maxLength: 2048, description: 'Feed position after the last event looked at (pass as `after` to continue)' })
}, { $id: 'WebhookReplayResult', additionalProperties: false })

export const webhookSchemas = [WebhookEndpointSchema, WebhookEndpointWithSecret, WebhookEndpointPage, CreateWebhookEndpointBody, UpdateWebhookEndpointBody, WebhookAttemptSchema, WebhookDeliveryStatus, WebhookDeliverySchema, WebhookDeliveryPage, ReplayBody, ReplayResult]
