import { Type } from '@sinclair/typebox'
import { Nullable, Uuid, ref } from './common.js'
import { EXTERNAL_ID_PATTERN, SYSTEM_PATTERN } from './external-refs.js'
import { ChannelSchema, SeveritySchema } from './policy.js'
import { RequesterSchema, TagList } from './tickets.js'

export const UpsertExternalTicketBody = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ minLength: 1, maxLength: 20000 }),
  severity: ref(SeveritySchema),
  channel: ref(ChannelSchema),
  requester: ref(RequesterSchema),
  category: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100, description: 'Absent: unchanged on update; null: none' }))),
  tags: Type.Optional({ ...TagList, description: 'Absent: unchanged on update; [] removes all. Customers may set them only on creation' }),
  url: Type.Optional(Nullable(Type.String({ format: 'uri', maxLength: 2000, description: 'The ticket\'s address in your system. Absent: unchanged on update; null: none' })))
}, {
  $id: 'UpsertExternalTicket',
  description: 'The ticket as your system knows it. severity, channel and requester apply when the ticket is created and are ignored afterwards (severity has its own action, POST /v1/tickets/{ticketId}/severity-changes).',
  additionalProperties: false,
  examples: [{ subject: 'DMARC reports stopped arriving', description: 'Mirrored from SUP-1234.', severity: 'high', channel: 'web_form', requester: { name: 'Dana Reyes', email: 'dana@acme.example' }, category: 'reporting', url: 'https://acme.atlassian.net/browse/SUP-1234' }]
})

export const ExternalTicketParams = Type.Object({
  organizationId: Uuid,
  system: Type.String({ pattern: SYSTEM_PATTERN, description: 'Your system, lower case (e.g. jira)' }),
  externalId: Type.String({ pattern: EXTERNAL_ID_PATTERN, description: 'The ticket\'s id in your system (URL-encode it)' })
})

export const UpsertPreconditionHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'Strong ETag of the ticket you hold: a stale tag, or any If-Match when no ticket has the reference yet, is 412 and changes nothing' })),
  'if-none-match': Type.Optional(Type.Literal('*', { description: '`*`: create only — 412 when the reference already names a ticket' }))
})

export const externalTicketSchemas = [UpsertExternalTicketBody]
