/**
 * Opening a ticket (pure): "The support packages apply to Customer, only if Customer is a current paying subscriber",
 * and each plan has its channels. Priority comes from severity (urgent→P1, high/medium→P2, low→P3) and the
 * first-response clock starts at creation, or when the customer really made contact (`receivedAt`, staff only).
 */
import { DomainError } from '../errors.js'
import { assertSubscriptionCurrent, type Organization } from '../organizations/organization.js'
import { planAllowsChannel, plansWithChannel, priorityOf, SUPPORT_PLANS, type Channel, type Severity } from '../policy/policy.js'
import type { BusinessCalendar } from '../sla/calendar.js'
import { startSlaCycle } from './sla.js'
import { iso } from '../time.js'
import { validateTags } from './tags.js'
import type { ActorRef, Requester, Ticket } from './ticket.js'

export type TicketDraft = Omit<Ticket, 'id' | 'version'>

const CHANNEL_NAMES: Record<Channel, string> = { portal: 'Portal', web_form: 'Web form', email: 'Email', video_call: 'Video call', phone: 'Phone' }

/** 403 subscription-inactive unless the subscription is current; 422 channel-not-in-plan unless the plan has the channel */
export function assertCanOpenTicket (org: Organization, channel: Channel, now: Date): void {
  assertSubscriptionCurrent(org, now)
  if (!planAllowsChannel(org.plan, channel)) {
    const plans = plansWithChannel(channel)
    const names = plans.map((p) => SUPPORT_PLANS[p].name)
    throw new DomainError('channel-not-in-plan',
      `${CHANNEL_NAMES[channel]} support needs the ${names.join(' or ')} plan; this organization has ${SUPPORT_PLANS[org.plan].name}`,
      { channel, plan: org.plan, plansWithChannel: plans, channelsInPlan: SUPPORT_PLANS[org.plan].channels })
  }
}

/**
 * When the customer really made contact (issue 15): a phone call logged later, an email processed late, a ticket
 * synced from another system. Staff and integrators only; never in the future; at most `maxAgeSeconds` back.
 */
export function assertReceivedAt (receivedAt: Date, now: Date, maxAgeSeconds: number, by: 'staff' | 'customer'): void {
  if (by === 'customer') throw new DomainError('field-not-allowed', 'Only agents, admins and integrators may set receivedAt', { field: 'receivedAt' })
  if (receivedAt.getTime() > now.getTime()) {
    throw new DomainError('received-at-in-future', 'receivedAt may not be in the future', { receivedAt: iso(receivedAt), now: iso(now) })
  }
  if (now.getTime() - receivedAt.getTime() > maxAgeSeconds * 1000) {
    throw new DomainError('received-at-too-old', `receivedAt may be at most ${Math.round(maxAgeSeconds / 86_400)} days back`, { maxAgeDays: maxAgeSeconds / 86_400 })
  }
}

export interface OpenTicketInput {
  organization: Organization
  subject: string
  description: string
  severity: Severity
  channel: Channel
  requester: Requester
  category: string | null
  /** validated by validateTags */
  tags?: string[]
  createdBy: ActorRef
  /** the calendar of responseTarget(organization.plan, severity) */
  calendar: BusinessCalendar
  now: Date
  /**
   * When the customer made contact, if earlier than now (checked with assertReceivedAt first); the first-response
   * clock starts here. Absent: now.
   */
  receivedAt?: Date
}

export function openTicket (input: OpenTicketInput): TicketDraft {
  assertCanOpenTicket(input.organization, input.channel, input.now)
  const receivedAt = new Date(input.receivedAt ?? input.now)
  return {
    organizationId: input.organization.id,
    subject: input.subject,
    description: input.description,
    severity: input.severity,
    priority: priorityOf(input.severity),
    channel: input.channel,
    requester: input.requester,
    category: input.category,
    assigneeId: null,
    status: 'open',
    closedReason: null,
    closeNote: null,
    closedAt: null,
    closedBy: null,
    contactAttempts: 0,
    sla: startSlaCycle({ cycle: 1, plan: input.organization.plan, severity: input.severity, at: receivedAt, calendar: input.calendar }),
    slaHistory: [],
    tags: validateTags(input.tags ?? []),
    createdBy: input.createdBy,
    receivedAt,
    createdAt: new Date(input.now),
    updatedAt: new Date(input.now)
  }
}

/**
 * The ticket a draft becomes once stored under `id`: version 1, no external references. The row the database returns
 * for it is the same ticket, so a use case may send the statements that need the ticket (its timers, its event)
 * together with its insert, in one round trip (issue 15).
 */
export const ticketFromDraft = (draft: TicketDraft, id: string): Ticket => ({ ...draft, id, version: 1, externalRefs: draft.externalRefs ?? [] })
