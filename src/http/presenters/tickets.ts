import type { TicketView } from '../../application/tickets.js'
import { ticketFields } from '../../domain/tickets/view.js'
import type { TicketEventRow } from '../../application/ticket-events.js'
import type { ReopenRequest } from '../../domain/tickets/reopen.js'
import type { SeverityChange } from '../../domain/tickets/severity.js'
import { cycleTerms, type SlaView } from '../../domain/tickets/sla.js'
import type { PastSlaCycle, TicketComment } from '../../domain/tickets/ticket.js'
import type { ReopenRequestSchema, SeverityChangeSchema, TicketCommentSchema, TicketEventSchema, TicketSchema, TicketSlaSchema, CreateTicketBody, TicketCountQuery } from '../schemas/tickets.js'
import { DomainError } from '../../domain/errors.js'
import type { Static } from '@sinclair/typebox'
import type * as tickets from '../../application/tickets.js'
import { iso, isoOrNull } from '../../domain/time.js'

/** a cycle's terms and clock (the current one's and the past ones' alike), built in one object (no spreads: a list
 * page presents 50 tickets, issue 15) */
const presentClock = (c: Pick<PastSlaCycle, 'cycle' | 'plan' | 'priority' | 'targetSeconds' | 'calendarId' | 'clockStartedAt' | 'dueAt' | 'firstRespondedAt'> & { targetDuration?: string }) => {
  // an SlaView carries its terms already; a past cycle's are derived here
  const terms = c.targetDuration === undefined ? cycleTerms(c) : c as typeof c & { targetDuration: string }
  return {
    cycle: terms.cycle,
    plan: terms.plan,
    priority: terms.priority,
    targetSeconds: terms.targetSeconds,
    targetDuration: terms.targetDuration,
    calendarId: terms.calendarId,
    clockStartedAt: iso(c.clockStartedAt),
    dueAt: iso(c.dueAt),
    firstRespondedAt: isoOrNull(c.firstRespondedAt)
  }
}

export const presentSla = (s: SlaView): Static<typeof TicketSlaSchema> => {
  const out: Static<typeof TicketSlaSchema> = presentClock(s) as Static<typeof TicketSlaSchema>
  out.status = s.status
  out.remainingBusinessSeconds = s.remainingBusinessSeconds
  return out
}

const presentCycle = (c: PastSlaCycle) => {
  const out = presentClock(c) as ReturnType<typeof presentClock> & { status: PastSlaCycle['status']; endedAt: string }
  out.status = c.status
  out.endedAt = iso(c.endedAt)
  return out
}

const NO_EMAIL = Object.freeze({ enabled: false, replyAddress: null })

export const presentTicket = ({ ticket: t, sla, email }: TicketView): Static<typeof TicketSchema> => {
  // the ticket's own fields (a fresh object), then the shaped parts, in the representation's order
  const out = ticketFields(t) as Static<typeof TicketSchema>
  out.sla = presentSla(sla)
  out.slaHistory = t.slaHistory.length === 0 ? [] : t.slaHistory.map(presentCycle)
  out.externalRefs = t.externalRefs === undefined || t.externalRefs.length === 0 ? [] : t.externalRefs.map((r) => ({ system: r.system, externalId: r.externalId, url: r.url }))
  out.email = email ?? NO_EMAIL
  return out
}

export const presentComment = (c: TicketComment): Static<typeof TicketCommentSchema> => ({
  id: c.id,
  ticketId: c.ticketId,
  body: c.body,
  visibility: c.visibility,
  awaitingCustomer: c.awaitingCustomer,
  firstResponse: c.firstResponse,
  slaCycle: c.slaCycle,
  author: c.author,
  email: c.email ?? null,
  createdAt: iso(c.createdAt)
})

export const presentSeverityChange = (c: SeverityChange): Static<typeof SeverityChangeSchema> => ({
  id: c.id,
  ticketId: c.ticketId,
  from: c.from,
  to: c.to,
  direction: c.direction,
  reason: c.reason,
  slaEffect: c.slaEffect,
  actor: c.actor,
  changedAt: iso(c.changedAt),
  slaBefore: presentSla(c.slaBefore),
  slaAfter: presentSla(c.slaAfter)
})

export const presentReopenRequest = (r: ReopenRequest): Static<typeof ReopenRequestSchema> => ({
  id: r.id,
  ticketId: r.ticketId,
  organizationId: r.organizationId,
  status: r.status,
  reason: r.reason,
  requestedBy: r.requestedBy,
  createdAt: iso(r.createdAt),
  decidedAt: isoOrNull(r.decidedAt),
  decidedBy: r.decidedBy,
  decisionNote: r.decisionNote,
  version: r.version,
  updatedAt: iso(r.updatedAt)
})

export const presentTicketEvent = (e: TicketEventRow): Static<typeof TicketEventSchema> => ({
  id: String(e.id),
  type: e.type,
  occurredAt: iso(e.occurredAt),
  organizationId: e.organizationId ?? '',
  ticketId: e.ticketId ?? e.resourceId,
  resource: { type: e.resourceType, id: e.resourceId, version: e.resourceVersion },
  visibility: e.visibility,
  actor: { id: e.actorId, role: e.actorRole as Static<typeof TicketEventSchema>['actor']['role'] },
  data: e.data
})

/** the GET /v1/tickets filter pair: both or neither */
export function externalRefFilter (system: string | undefined, externalId: string | undefined): { externalSystem?: string; externalId?: string } {
  if (system === undefined && externalId === undefined) return {}
  if (system === undefined || externalId === undefined) {
    const missing = system === undefined ? 'externalSystem' : 'externalId'
    throw new DomainError('validation-failed', 'externalSystem and externalId go together', { errors: [{ path: `query.${missing}`, message: 'is required with the other' }] })
  }
  return { externalSystem: system, externalId }
}

export const date = (s: string | undefined): Date | undefined => s === undefined ? undefined : new Date(s)

/** the list's filters from the query (shared by the list and the counts) */
/** the fields a ticket is opened with, as the use cases take them (POST /v1/tickets, the external upsert and its batch items) */
export const openingInputOf = (b: Pick<Static<typeof CreateTicketBody>, 'subject' | 'description' | 'severity' | 'channel' | 'requester' | 'category' | 'tags' | 'receivedAt'>) => ({
  subject: b.subject,
  description: b.description,
  severity: b.severity,
  channel: b.channel,
  requester: b.requester,
  category: b.category,
  tags: b.tags,
  receivedAt: date(b.receivedAt)
})

export function listFilters (query: Omit<Static<typeof TicketCountQuery>, 'groupBy'>): tickets.ListTicketFilters {
  return {
    organizationId: query.organizationId,
    status: query.status,
    severity: query.severity,
    priority: query.priority,
    slaStatus: query.slaStatus,
    assigneeId: query.assigneeId,
    channel: query.channel,
    createdAfter: date(query.createdAfter),
    createdBefore: date(query.createdBefore),
    updatedAfter: date(query.updatedAfter),
    tags: query.tag,
    q: query.q,
    ...externalRefFilter(query.externalSystem, query.externalId)
  }
}
