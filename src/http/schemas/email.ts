import { Type } from '@sinclair/typebox'
import { EMAIL_DOMAIN_PATTERN } from '../../domain/email/addresses.js'
import { Nullable, Page, Timestamp, Uuid, ref } from './common.js'

const Address = Type.String({ maxLength: 320, description: 'An email address' })
const Short = (description: string) => Type.String({ maxLength: 64, description })

export const EmailDomain = Type.String({ minLength: 3, maxLength: 253, pattern: EMAIL_DOMAIN_PATTERN, description: 'A registered email domain (e.g. acme.example); stored lower case' })

export const TicketEmailSchema = Type.Object({
  enabled: Type.Boolean({ description: 'The requester is emailed (acknowledgement, public agent comments, contact attempts, closure, reopen decisions). false: SMTP_URL/MAIL_FROM are not set, email is off' }),
  replyAddress: Nullable(Type.String({ maxLength: 320, description: 'The signed per-ticket reply address (support+<token>@…): mail to it lands on this ticket' }))
}, { $id: 'TicketEmail', additionalProperties: false })

export const EmailAuthenticationSchema = Type.Object({
  spf: Short('SPF result (pass, fail, softfail, neutral, none, temperror, permerror)'),
  dkim: Short('Best DKIM result (pass when one signature passed)'),
  dmarc: Short('DMARC result (pass, fail, none, …)'),
  dmarcPolicy: Nullable(Short('The From domain\'s published policy: none | quarantine | reject; null without a DMARC record')),
  fromDomain: Type.String({ maxLength: 253 })
}, { $id: 'EmailAuthentication', additionalProperties: false })

export const CommentEmailSchema = Type.Object({
  direction: Type.Union([Type.Literal('outbound'), Type.Literal('inbound')]),
  messageId: Type.String({ maxLength: 998, description: 'The Message-ID (without angle brackets)' }),
  delivery: Type.Optional(Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')], { description: 'Outbound: queued until delivered; failed = permanently undeliverable (a contact attempt then does not count)' })),
  deliveredAt: Type.Optional(Nullable(Timestamp)),
  error: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  authentication: Type.Optional(ref(EmailAuthenticationSchema))
}, { $id: 'CommentEmail', additionalProperties: false, description: 'How the comment travelled by email' })

export const QUARANTINE_STATUSES = ['quarantined', 'released', 'discarded'] as const

export const QuarantinedEmailSchema = Type.Object({
  id: Uuid,
  messageId: Nullable(Type.String({ maxLength: 998 })),
  from: Address,
  subject: Type.String({ maxLength: 998 }),
  reason: Type.String({ maxLength: 64, description: 'dmarc-fail (p=reject/quarantine), unknown-domain, sender-not-on-ticket, ticket-closed, or a refusal code (e.g. subscription-inactive)' }),
  authentication: ref(EmailAuthenticationSchema),
  sizeBytes: Type.Integer({ format: 'int32', minimum: 0, maximum: 2147483647 }),
  receivedAt: Timestamp
}, { $id: 'QuarantinedEmail', additionalProperties: false })

export const QuarantinePage = Page(ref(QuarantinedEmailSchema), 'QuarantinedEmailPage')

export const InboundResultSchema = Type.Object({
  id: Uuid,
  outcome: Type.Union(['commented', 'opened_ticket', 'ignored', 'quarantined', 'released', 'discarded'].map((s) => Type.Literal(s)), { description: 'What became of the message' }),
  reason: Nullable(Type.String({ maxLength: 200 })),
  ticketId: Nullable(Uuid),
  commentId: Nullable(Uuid),
  duplicate: Type.Boolean({ description: 'true: this Message-ID was received before; nothing was done again' })
}, { $id: 'InboundEmailResult', additionalProperties: false })

export const ReleaseBody = Type.Object({
  organizationId: Type.Optional({ ...Uuid, description: 'For a message that matches no ticket and no registered domain: the organization to open the ticket in' })
}, { $id: 'ReleaseQuarantinedEmail', additionalProperties: false })

export const emailSchemas = [TicketEmailSchema, EmailAuthenticationSchema, CommentEmailSchema, QuarantinedEmailSchema, QuarantinePage, InboundResultSchema, ReleaseBody]
