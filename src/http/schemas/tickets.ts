import { Type } from '@sinclair/typebox'
import { CLOSED_REASONS, COMMENT_VISIBILITIES, TICKET_STATUSES } from '../../domain/tickets/ticket.js'
import { REOPEN_STATUSES } from '../../domain/tickets/reopen.js'
import { SLA_STATUSES } from '../../domain/sla/first-response.js'
import { CursorParam, Limit, Nullable, Page, Timestamp, Uuid, ref, Count, Subject, IsoDuration } from './common.js'
import { ExternalRefSchema, EXTERNAL_ID_PATTERN, SYSTEM_PATTERN } from './external-refs.js'
import { CommentEmailSchema, TicketEmailSchema } from './email.js'
import { MAX_TAG_LENGTH, MAX_TAGS, TAG_PATTERN } from '../../domain/tickets/tags.js'
import { COUNT_GROUPS, TICKET_SORTS } from '../../domain/tickets/listing.js'
import { CalendarIdSchema, ChannelSchema, PlanIdSchema, PrioritySchema, SeveritySchema, literalUnion } from './policy.js'

const TICKET_ID = '9b2d7c1e-4a5f-4e8b-9c3d-2f1a0b9e8d7c'
const ORG_ID = '3f0e9a43-8f64-4f55-9d43-5cf2cbd3a0a1'

export const TicketStatusSchema = literalUnion(TICKET_STATUSES, 'TicketStatus', 'open → pending_customer (contact attempt) → open (customer reply); open | pending_customer → closed; closed → open (approved reopen request)')
export const ClosedReasonSchema = literalUnion(CLOSED_REASONS, 'ClosedReason', 'Why the ticket was closed')
export const CommentVisibilitySchema = literalUnion(COMMENT_VISIBILITIES, 'CommentVisibility', 'internal comments are never shown to customers')
export const SlaStatusSchema = literalUnion(SLA_STATUSES, 'SlaStatus', 'on_track; at_risk (less than 25% of the target left, in business time); breached (no first response by dueAt, or a late one); met')
export const ReopenRequestStatusSchema = literalUnion(REOPEN_STATUSES, 'ReopenRequestStatus', 'pending until an agent approves or denies it')
export const SeverityDirectionSchema = literalUnion(['upgrade', 'downgrade'] as const, 'SeverityDirection', 'upgrade: to a more severe level; downgrade: to a less severe one')

export const TagSchema = Type.String({
  $id: 'Tag', minLength: 1, maxLength: MAX_TAG_LENGTH, pattern: TAG_PATTERN,
  description: `A ticket label: lower case, 1–${MAX_TAG_LENGTH} characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit`,
  examples: ['dmarc']
})

export const TagList = Type.Array(ref(TagSchema), { maxItems: MAX_TAGS, uniqueItems: true, description: `At most ${MAX_TAGS} distinct tags, kept in the order given` })

export const TicketSortSchema = literalUnion(TICKET_SORTS, 'TicketSort', 'createdAt: newest first (default); updatedAt: most recently changed first; slaDueAt: tickets whose first response is still owed, soonest deadline first ("breaches next")')

export const TicketCountGroupSchema = literalUnion(COUNT_GROUPS, 'TicketCountGroup', 'What to count by: status, priority, slaStatus (at the time of the request) or assigneeId (null: unassigned)')

export const TicketActorSchema = Type.Object({
  id: Subject({ description: 'Token subject' }),
  role: Type.Union([Type.Literal('customer'), Type.Literal('agent'), Type.Literal('admin'), Type.Literal('system')])
}, { $id: 'TicketActor', description: 'Who did it', additionalProperties: false, examples: [{ id: 'agent-7', role: 'agent' }] })

export const RequesterSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Type.String({ format: 'email', maxLength: 320 })
}, { $id: 'Requester', description: 'The person who asked for help', additionalProperties: false, examples: [{ name: 'Dana Reyes', email: 'dana@acme.example' }] })

const SLA_EXAMPLE = {
  cycle: 1,
  plan: 'enhanced',
  priority: 'P1',
  targetSeconds: 3600,
  targetDuration: 'PT1H',
  calendarId: 'business-hours',
  clockStartedAt: '2026-03-07T01:30:00.000Z',
  dueAt: '2026-03-09T13:30:00.000Z',
  firstRespondedAt: null,
  status: 'on_track',
  remainingBusinessSeconds: 3600
}

export const TicketSlaSchema = Type.Object({
  cycle: Count({ minimum: 1, description: 'First-response cycle: 1 from creation, +1 for every approved reopen request' }),
  plan: ref(PlanIdSchema),
  priority: ref(PrioritySchema),
  targetSeconds: Count({ description: 'Seconds of the calendar\'s time (business seconds on business calendars)' }),
  targetDuration: IsoDuration({ description: 'ISO 8601 duration of targetSeconds', examples: ['PT1H'] }),
  calendarId: ref(CalendarIdSchema),
  clockStartedAt: { ...Timestamp, description: 'When the cycle\'s clock started (creation, or the reopen approval)' },
  dueAt: { ...Timestamp, description: 'First-response deadline, issued when the clock started (or recomputed by a severity change while the response was owed)' },
  firstRespondedAt: Nullable({ ...Timestamp, description: 'The first public agent comment of this cycle (or the closing, when a ticket was closed before any)' }),
  status: ref(SlaStatusSchema),
  remainingBusinessSeconds: Type.Number({ minimum: 0, description: 'Business seconds left until dueAt, computed at read time; 0 once answered or past due' })
}, {
  $id: 'TicketSla',
  description: 'The first-response SLA of the current cycle, from the SLA engine. `plan`, `priority`, target and calendar are those the deadline was computed with.',
  additionalProperties: false,
  examples: [SLA_EXAMPLE]
})

export const TicketSlaCycleSchema = Type.Object({
  cycle: Count({ minimum: 1 }),
  plan: ref(PlanIdSchema),
  priority: ref(PrioritySchema),
  targetSeconds: Count(),
  targetDuration: IsoDuration({ examples: ['PT1H'] }),
  calendarId: ref(CalendarIdSchema),
  clockStartedAt: Timestamp,
  dueAt: Timestamp,
  firstRespondedAt: Nullable(Timestamp),
  status: Type.Union([Type.Literal('met'), Type.Literal('breached')], { description: 'The cycle\'s result; it stands after the reopen' }),
  endedAt: { ...Timestamp, description: 'When a reopen started the next cycle' }
}, { $id: 'TicketSlaCycle', description: 'A previous first-response cycle of a reopened ticket', additionalProperties: false })

const TICKET_EXAMPLE = {
  id: TICKET_ID,
  organizationId: ORG_ID,
  subject: 'DMARC reports stopped arriving',
  description: 'Since this morning no aggregate reports show up for acme.example.',
  severity: 'urgent',
  priority: 'P1',
  channel: 'portal',
  requester: { name: 'Dana Reyes', email: 'dana@acme.example' },
  category: 'reporting',
  assigneeId: null,
  status: 'open',
  closedReason: null,
  closeNote: null,
  closedAt: null,
  closedBy: null,
  contactAttempts: 0,
  sla: SLA_EXAMPLE,
  slaHistory: [],
  externalRefs: [],
  email: { enabled: true, replyAddress: 'support+9b2d7c1e4a5f4e8b9c3d2f1a0b9e8d7c3a41f0c29e7b5d18@desk.example' },
  tags: ['dmarc', 'reporting'],
  createdBy: { id: 'customer-1', role: 'customer' },
  receivedAt: '2026-03-07T01:30:00.000Z',
  version: 1,
  createdAt: '2026-03-07T01:30:00.000Z',
  updatedAt: '2026-03-07T01:30:00.000Z'
}

export const TicketSchema = Type.Object({
  id: Uuid,
  organizationId: Uuid,
  subject: Type.String({ maxLength: 200 }),
  description: Type.String({ maxLength: 20000 }),
  severity: ref(SeveritySchema),
  priority: ref(PrioritySchema),
  channel: ref(ChannelSchema),
  requester: ref(RequesterSchema),
  category: Nullable(Type.String({ maxLength: 100 })),
  assigneeId: Nullable(Type.String({ maxLength: 200, description: 'Token subject of the assigned agent' })),
  status: ref(TicketStatusSchema),
  closedReason: Nullable(ref(ClosedReasonSchema)),
  closeNote: Nullable(Type.String({ maxLength: 5000 })),
  closedAt: Nullable(Timestamp),
  closedBy: Nullable(ref(TicketActorSchema)),
  contactAttempts: Count({ description: 'Unanswered contact attempts; a customer comment resets it' }),
  sla: ref(TicketSlaSchema),
  slaHistory: Type.Array(ref(TicketSlaCycleSchema), { maxItems: 1000, description: 'Previous first-response cycles (reopened tickets), oldest first' }),
  externalRefs: Type.Array(ref(ExternalRefSchema), { maxItems: 100, description: 'References in integrators\' systems (see the external-tickets upsert)' }),
  email: ref(TicketEmailSchema),
  tags: { ...TagList, description: 'Labels set on creation and by agents and admins (PATCH); filter with `tag=`' },
  createdBy: ref(TicketActorSchema),
  receivedAt: { ...Timestamp, description: 'When the customer made contact: the first cycle\'s clock start. Equals createdAt unless staff or an integrator gave an earlier receivedAt' },
  version: Count({ minimum: 1, description: 'Served as the strong ETag' }),
  createdAt: Timestamp,
  updatedAt: Timestamp
}, { $id: 'Ticket', additionalProperties: false, examples: [TICKET_EXAMPLE] })

export const TicketPage = Page(ref(TicketSchema), 'TicketPage')

export const RECEIVED_AT_DESCRIPTION = 'When the customer really made contact (a phone call logged later, an email processed late, a ticket synced from another system); the first-response clock starts here. Agents, admins and integrators only (customers: 403 `field-not-allowed`); not in the future (422 `received-at-in-future`), at most RECEIVED_AT_MAX_AGE_DAYS (default 30) days back (422 `received-at-too-old`). Absent: now.'
/** uploads to attach (issue 19; see POST /v1/uploads) */
export const AttachmentIds = Type.Array(Uuid, { maxItems: 20, uniqueItems: true, description: 'Ids of your uploads (POST /v1/uploads) to attach, at most 20; each must be yours, for this organization, unattached and not expired (422 attachment-not-attachable)' })

export const CreateTicketBody = Type.Object({
  organizationId: Type.Optional({ ...Uuid, description: 'Required for agents and admins; implied by a customer\'s token' }),
  subject: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ minLength: 1, maxLength: 20000 }),
  severity: ref(SeveritySchema),
  channel: ref(ChannelSchema),
  requester: ref(RequesterSchema),
  category: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
  receivedAt: Type.Optional({ ...Timestamp, description: RECEIVED_AT_DESCRIPTION }),
  tags: Type.Optional(TagList),
  suggestedArticleIds: Type.Optional(Type.Array({ ...Uuid, maxLength: 36 }, { maxItems: 10, description: 'Knowledge-base articles the portal suggested before the ticket was submitted (POST /v1/kb/suggestions); staff see them at GET /v1/tickets/{ticketId}/kb-links. Each must be an article the caller may see (422 kb-article-unknown).' })),
  attachmentIds: Type.Optional(AttachmentIds)
}, {
  $id: 'CreateTicket',
  additionalProperties: false,
  examples: [{ subject: 'DMARC reports stopped arriving', description: 'Since this morning no aggregate reports show up for acme.example.', severity: 'urgent', channel: 'portal', requester: { name: 'Dana Reyes', email: 'dana@acme.example' }, category: 'reporting' }]
})

export const UpdateTicketBody = Type.Object({
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ minLength: 1, maxLength: 20000 })),
  category: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
  assigneeId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200, description: 'Token subject of an agent; null unassigns' }))),
  tags: Type.Optional({ ...TagList, description: 'Agents and admins: replaces the ticket\'s tags ([] removes all)' })
}, { $id: 'UpdateTicket', additionalProperties: false, minProperties: 1, examples: [{ assigneeId: 'agent-7', category: 'dns' }, { subject: 'DMARC aggregate reports missing since 2026-03-06' }] })

export const CloseTicketBody = Type.Object({
  reason: ref(ClosedReasonSchema),
  note: Type.Optional(Type.String({ maxLength: 5000, description: 'Required for out_of_scope; shown to the customer' }))
}, { $id: 'CloseTicket', additionalProperties: false, examples: [{ reason: 'out_of_scope', note: 'SAML/SSO setup is a customer responsibility; see the SSO guide.' }, { reason: 'no_response' }] })

/** the list's filters: shared by the list and the counts */
const TICKET_FILTERS = {
  organizationId: Type.Optional({ ...Uuid, description: 'Agents/admins: one organization. Customers always see only their own.' }),
  status: Type.Optional(ref(TicketStatusSchema)),
  severity: Type.Optional(ref(SeveritySchema)),
  priority: Type.Optional(ref(PrioritySchema)),
  slaStatus: Type.Optional(ref(SlaStatusSchema)),
  assigneeId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  channel: Type.Optional(ref(ChannelSchema)),
  createdAfter: Type.Optional({ ...Timestamp, description: 'createdAt at or after this instant' }),
  createdBefore: Type.Optional({ ...Timestamp, description: 'createdAt strictly before this instant' }),
  updatedAfter: Type.Optional({ ...Timestamp, description: 'updatedAt at or after this instant' }),
  externalSystem: Type.Optional(Type.String({ pattern: SYSTEM_PATTERN, maxLength: 64, description: 'With externalId: the ticket carrying this external reference (at most one per organization)' })),
  externalId: Type.Optional(Type.String({ pattern: EXTERNAL_ID_PATTERN, maxLength: 200, description: 'With externalSystem: see there' })),
  tag: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: MAX_TAG_LENGTH, pattern: TAG_PATTERN }), { maxItems: MAX_TAGS, description: 'Repeatable (`tag=a&tag=b`): tickets carrying every one of these tags' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Full-text search over subject, description and comments (PostgreSQL `websearch_to_tsquery`, English stemming: words, `"quoted phrases"`, `or`, `-word`). Customers\' searches never match internal comments. Results keep the chosen sort (not ranked).' }))
}

export const TicketListQuery = Type.Object({
  ...TICKET_FILTERS,
  sort: Type.Optional({ ...ref(TicketSortSchema), description: 'List order (default createdAt); a cursor belongs to its sort' }),
  limit: Limit(),
  cursor: Type.Optional(CursorParam)
}, { additionalProperties: false })

export const TicketCountQuery = Type.Object({
  ...TICKET_FILTERS,
  groupBy: ref(TicketCountGroupSchema)
}, { additionalProperties: false })

export const TicketCountsSchema = Type.Object({
  groups: Type.Array(Type.Object({
    key: Nullable(Type.String({ maxLength: 200, description: 'The value counted (a status, priority, SLA status or assignee); null: no assignee' })),
    count: Type.Integer({ format: 'int64', minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
  }, { additionalProperties: false }), { maxItems: 100_000, description: 'Groups with at least one ticket, largest first (then by key)' }),
  total: Type.Integer({ format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Tickets matching the filters (the sum of the groups)' })
}, {
  $id: 'TicketCounts',
  additionalProperties: false,
  examples: [{ groups: [{ key: 'open', count: 42 }, { key: 'pending_customer', count: 7 }], total: 49 }]
})

export const TicketParams = Type.Object({ ticketId: Uuid })

// comments ---------------------------------------------------------------------------------------------------------

export const TicketCommentSchema = Type.Object({
  id: Uuid,
  ticketId: Uuid,
  body: Type.String({ maxLength: 20000 }),
  visibility: ref(CommentVisibilitySchema),
  awaitingCustomer: Type.Boolean({ description: 'A contact attempt: the agent waits for the customer' }),
  firstResponse: Type.Boolean({ description: 'This comment was the first response of its SLA cycle' }),
  slaCycle: Count({ minimum: 1 }),
  author: ref(TicketActorSchema),
  email: Nullable(ref(CommentEmailSchema)),
  createdAt: Timestamp
}, {
  $id: 'TicketComment',
  additionalProperties: false,
  examples: [{ id: 'c1b2a3d4-0000-4000-8000-000000000001', ticketId: TICKET_ID, body: 'Could you send us the DNS TXT record you published?', visibility: 'public', awaitingCustomer: true, firstResponse: true, slaCycle: 1, author: { id: 'agent-7', role: 'agent' }, email: { direction: 'outbound', messageId: '5e1c…@desk.example', delivery: 'sent', deliveredAt: '2026-03-09T13:10:02.000Z', error: null }, createdAt: '2026-03-09T13:10:00.000Z' }]
})

export const TicketCommentPage = Page(ref(TicketCommentSchema), 'TicketCommentPage')

export const CreateTicketCommentBody = Type.Object({
  body: Type.String({ minLength: 1, maxLength: 20000 }),
  visibility: Type.Optional({ ...ref(CommentVisibilitySchema), description: 'Default public. Customers may only write public comments.' }),
  awaitingCustomer: Type.Optional(Type.Boolean({ description: 'Agents, public comments only: a contact attempt (ticket → pending_customer)' })),
  articleIds: Type.Optional(Type.Array({ ...Uuid, maxLength: 36 }, { maxItems: 10, description: 'Agents and admins: knowledge-base articles this comment links (kept for GET /v1/tickets/{ticketId}/kb-links and the most-linked report; 422 kb-article-unknown for an unknown id)' })),
  attachmentIds: Type.Optional(AttachmentIds)
}, {
  $id: 'CreateTicketComment',
  additionalProperties: false,
  examples: [{ body: 'Could you send us the DNS TXT record you published?', visibility: 'public', awaitingCustomer: true }, { body: 'Customer is on the legacy DNS provider.', visibility: 'internal' }]
})

export const CommentParams = Type.Object({ ticketId: Uuid, commentId: Uuid })

// severity changes ---------------------------------------------------------------------------------------------------

export const SeverityChangeSchema = Type.Object({
  id: Uuid,
  ticketId: Uuid,
  from: ref(SeveritySchema),
  to: ref(SeveritySchema),
  direction: ref(SeverityDirectionSchema),
  reason: Type.String({ maxLength: 5000 }),
  slaEffect: Type.Union([Type.Literal('recomputed'), Type.Literal('kept-earlier-deadline'), Type.Literal('unchanged-responded'), Type.Literal('unchanged-breached')], {
    description: 'recomputed: new deadline from the change; kept-earlier-deadline: an upgrade whose recomputed deadline would have been later; unchanged-responded: the first response was already given, the result stands; unchanged-breached: the deadline had already passed, the breach stands'
  }),
  actor: ref(TicketActorSchema),
  changedAt: Timestamp,
  slaBefore: ref(TicketSlaSchema),
  slaAfter: ref(TicketSlaSchema)
}, {
  $id: 'SeverityChange',
  additionalProperties: false,
  examples: [{
    id: '5e6f7a8b-0000-4000-8000-000000000002',
    ticketId: TICKET_ID,
    from: 'medium',
    to: 'urgent',
    direction: 'upgrade',
    reason: 'Outage now affects all sending domains',
    slaEffect: 'recomputed',
    actor: { id: 'agent-7', role: 'agent' },
    changedAt: '2026-03-09T14:00:00.000Z',
    slaBefore: { ...SLA_EXAMPLE, priority: 'P2', targetSeconds: 21600, targetDuration: 'PT6H', dueAt: '2026-03-09T18:30:00.000Z', remainingBusinessSeconds: 16200 },
    slaAfter: { ...SLA_EXAMPLE, dueAt: '2026-03-09T15:00:00.000Z', status: 'on_track', remainingBusinessSeconds: 3600 }
  }]
})

export const SeverityChangePage = Page(ref(SeverityChangeSchema), 'SeverityChangePage')

export const CreateSeverityChangeBody = Type.Object({
  severity: ref(SeveritySchema),
  reason: Type.String({ minLength: 1, maxLength: 2000 })
}, { $id: 'CreateSeverityChange', additionalProperties: false, examples: [{ severity: 'urgent', reason: 'Outage now affects all sending domains' }] })

export const SeverityChangeParams = Type.Object({ ticketId: Uuid, changeId: Uuid })

// reopen requests -----------------------------------------------------------------------------------------------------

export const ReopenRequestSchema = Type.Object({
  id: Uuid,
  ticketId: Uuid,
  organizationId: Uuid,
  status: ref(ReopenRequestStatusSchema),
  reason: Type.String({ maxLength: 5000 }),
  requestedBy: ref(TicketActorSchema),
  createdAt: Timestamp,
  decidedAt: Nullable(Timestamp),
  decidedBy: Nullable(ref(TicketActorSchema)),
  decisionNote: Nullable(Type.String({ maxLength: 5000 })),
  version: Count({ minimum: 1, description: 'Served as the strong ETag; send it as If-Match to approve or deny' }),
  updatedAt: Timestamp
}, {
  $id: 'ReopenRequest',
  additionalProperties: false,
  examples: [{ id: '7c8d9e0f-0000-4000-8000-000000000003', ticketId: TICKET_ID, organizationId: ORG_ID, status: 'pending', reason: 'Sorry, I was on leave; the problem is still there.', requestedBy: { id: 'customer-1', role: 'customer' }, createdAt: '2026-03-20T16:00:00.000Z', decidedAt: null, decidedBy: null, decisionNote: null, version: 1, updatedAt: '2026-03-20T16:00:00.000Z' }]
})

export const ReopenRequestPage = Page(ref(ReopenRequestSchema), 'ReopenRequestPage')

export const CreateReopenRequestBody = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 5000 })
}, { $id: 'CreateReopenRequest', additionalProperties: false, examples: [{ reason: 'Sorry, I was on leave; the problem is still there.' }] })

export const ReopenDecisionBody = Type.Object({
  note: Type.Optional(Type.String({ maxLength: 5000, description: 'Optional when approving; required when denying (shown to the customer)' }))
}, { $id: 'ReopenDecision', additionalProperties: false, examples: [{ note: 'Reopened; we will look at it today.' }] })

export const ReopenRequestParams = Type.Object({ requestId: Uuid })

export const ReopenRequestListQuery = Type.Object({
  status: Type.Optional(ref(ReopenRequestStatusSchema)),
  organizationId: Type.Optional({ ...Uuid, description: 'Agents/admins: one organization. Customers always see only their own.' }),
  limit: Limit(),
  cursor: Type.Optional(CursorParam)
}, { additionalProperties: false })

// audit trail ---------------------------------------------------------------------------------------------------------

export const TicketEventSchema = Type.Object({
  id: Type.String({ pattern: '^[0-9]+$', maxLength: 20, description: 'Event id (decimal); the trail is in id order, the order the changes were written' }),
  type: Type.String({ maxLength: 1000, description: 'ticket.created, ticket.updated, ticket.comment_added, ticket.first_responded, ticket.contact_attempted, ticket.contact_answered, ticket.severity_changed, ticket.closed, ticket.reopen_requested, ticket.reopen_approved, ticket.reopen_denied, ticket.reopened, ticket.sla_at_risk, ticket.sla_breached (SLA timers, actor `system`/`sla-timer`: docs/sla.md); with email on: ticket.contact_attempt_delivered, email.sent, email.deferred, email.failed, email.received, email.released, email.discarded (actor `system`/`email`: docs/email.md)' }),
  occurredAt: Timestamp,
  organizationId: Uuid,
  ticketId: Uuid,
  resource: Type.Object({
    type: Type.String({ maxLength: 100, description: 'ticket, comment, severity_change or reopen_request' }),
    id: Uuid,
    version: Nullable(Count({ description: 'The resource\'s version after the change' }))
  }, { additionalProperties: false }),
  visibility: ref(CommentVisibilitySchema),
  actor: ref(TicketActorSchema),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'What changed, usually { before, after }' })
}, {
  $id: 'TicketEvent',
  additionalProperties: false,
  examples: [{
    id: '4711',
    type: 'ticket.updated',
    occurredAt: '2026-03-09T13:05:00.000Z',
    organizationId: ORG_ID,
    ticketId: TICKET_ID,
    resource: { type: 'ticket', id: TICKET_ID, version: 2 },
    visibility: 'public',
    actor: { id: 'agent-7', role: 'agent' },
    data: { ticketId: TICKET_ID, changedFields: ['assigneeId'], before: { assigneeId: null }, after: { assigneeId: 'agent-7' } }
  }]
})

export const TicketEventPage = Page(ref(TicketEventSchema), 'TicketEventPage')

export const SubListQuery = Type.Object({ limit: Limit(), cursor: Type.Optional(CursorParam) }, { additionalProperties: false })

export const ticketSchemas = [
  TicketStatusSchema, ClosedReasonSchema, CommentVisibilitySchema, SlaStatusSchema, ReopenRequestStatusSchema, SeverityDirectionSchema,
  TagSchema, TicketSortSchema, TicketCountGroupSchema,
  TicketActorSchema, RequesterSchema, TicketSlaSchema, TicketSlaCycleSchema, TicketSchema, TicketPage, TicketCountsSchema,
  CreateTicketBody, UpdateTicketBody, CloseTicketBody,
  TicketCommentSchema, TicketCommentPage, CreateTicketCommentBody,
  SeverityChangeSchema, SeverityChangePage, CreateSeverityChangeBody,
  ReopenRequestSchema, ReopenRequestPage, CreateReopenRequestBody, ReopenDecisionBody,
  TicketEventSchema, TicketEventPage
]
