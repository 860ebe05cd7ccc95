import { Type } from '@sinclair/typebox'
import { Nullable, Problem, Timestamp, Uuid, ref } from './common.js'
import { EXTERNAL_ID_PATTERN, SYSTEM_PATTERN } from './external-refs.js'
import { ChannelSchema, SeveritySchema } from './policy.js'
import { RECEIVED_AT_DESCRIPTION, RequesterSchema, TagList, TicketSchema } from './tickets.js'

export const UpsertExternalTicketBody = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ minLength: 1, maxLength: 20000 }),
  severity: ref(SeveritySchema),
  channel: ref(ChannelSchema),
  requester: ref(RequesterSchema),
  category: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100, description: 'Absent: unchanged on update; null: none' }))),
  tags: Type.Optional({ ...TagList, description: 'Absent: unchanged on update; [] removes all. Customers may set them only on creation' }),
  url: Type.Optional(Nullable(Type.String({ format: 'uri', maxLength: 2000, description: 'The ticket\'s address in your system. Absent: unchanged on update; null: none' }))),
  receivedAt: Type.Optional({ ...Timestamp, description: `${RECEIVED_AT_DESCRIPTION} Applies when the ticket is created; ignored afterwards.` })
}, {
  $id: 'UpsertExternalTicket',
  description: 'The ticket as your system knows it. severity, channel, requester and receivedAt apply when the ticket is created and are ignored afterwards (severity has its own action, POST /v1/tickets/{ticketId}/severity-changes).',
  additionalProperties: false,
  examples: [{ subject: 'DMARC reports stopped arriving', description: 'Mirrored from SUP-1234.', severity: 'high', channel: 'web_form', requester: { name: 'Dana Reyes', email: 'dana@acme.example' }, category: 'reporting', url: 'https://acme.atlassian.net/browse/SUP-1234' }]
})

export const ExternalTicketParams = Type.Object({
  organizationId: Uuid,
  system: Type.String({ pattern: SYSTEM_PATTERN, maxLength: 64, description: 'Your system, lower case (e.g. jira)' }),
  externalId: Type.String({ pattern: EXTERNAL_ID_PATTERN, maxLength: 200, description: 'The ticket\'s id in your system (URL-encode it)' })
})

export const UpsertPreconditionHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 1024, description: 'Strong ETag of the ticket you hold: a stale tag, or any If-Match when no ticket has the reference yet, is 412 and changes nothing' })),
  'if-none-match': Type.Optional(Type.Literal('*', { description: '`*`: create only — 412 when the reference already names a ticket' }))
})

export const BATCH_MAX_ITEMS = 100

export const ExternalTicketBatchItem = Type.Object({
  system: Type.String({ pattern: SYSTEM_PATTERN, maxLength: 64, description: 'Your system, lower case (e.g. jira)' }),
  externalId: Type.String({ pattern: EXTERNAL_ID_PATTERN, maxLength: 200, description: 'The ticket\'s id in your system' }),
  ...UpsertExternalTicketBody.properties,
  ifMatch: Type.Optional(Type.String({ maxLength: 32, description: 'Like the single upsert\'s If-Match header: `"<version>"` updates only a ticket at that version, `*` only an existing one (else 412)' })),
  ifNoneMatch: Type.Optional(Type.Literal('*', { description: 'Like the single upsert\'s If-None-Match header: create only (412 when the reference already names a ticket)' }))
}, {
  $id: 'ExternalTicketBatchItem',
  description: 'One upsert of the batch: the reference, the fields of PUT …/external-tickets/{system}/{externalId}, and its optional preconditions.',
  additionalProperties: false
})

export const ExternalTicketBatchBody = Type.Object({
  items: Type.Array(ref(ExternalTicketBatchItem), { minItems: 1, maxItems: BATCH_MAX_ITEMS, description: `1–${BATCH_MAX_ITEMS} upserts, applied in order, each on its own` })
}, {
  $id: 'ExternalTicketBatch',
  additionalProperties: false,
  examples: [{ items: [{ system: 'jira', externalId: 'SUP-1234', subject: 'DMARC reports stopped arriving', description: 'Mirrored from SUP-1234.', severity: 'high', channel: 'web_form', requester: { name: 'Dana Reyes', email: 'dana@acme.example' }, receivedAt: '2026-03-06T18:20:00.000Z' }] }]
})

export const ExternalTicketBatchResult = Type.Object({
  index: Type.Integer({ minimum: 0, maximum: BATCH_MAX_ITEMS - 1, description: 'Position of the item in the request' }),
  system: Nullable(Type.String({ maxLength: 64 })),
  externalId: Nullable(Type.String({ maxLength: 200 })),
  status: Type.Integer({ minimum: 200, maximum: 499, description: '201 created, 200 updated (or unchanged), else the status the single upsert would have answered' }),
  ticket: Type.Optional(ref(TicketSchema)),
  problem: Type.Optional(ref(Problem))
}, { $id: 'ExternalTicketBatchResult', additionalProperties: false })

export const ExternalTicketBatchResponse = Type.Object({
  results: Type.Array(ref(ExternalTicketBatchResult), { maxItems: BATCH_MAX_ITEMS, description: 'One result per item, in the order of the request' })
}, { $id: 'ExternalTicketBatchResponse', additionalProperties: false })

export const BatchParams = Type.Object({ organizationId: Uuid })

export const externalTicketSchemas = [UpsertExternalTicketBody, ExternalTicketBatchItem, ExternalTicketBatchBody, ExternalTicketBatchResult, ExternalTicketBatchResponse]
