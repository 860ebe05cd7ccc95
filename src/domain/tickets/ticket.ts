/**
 * The ticket as the domain sees it (pure types and constants; no I/O).
 */
import type { CalendarId, Channel, PlanId, Priority, Severity } from '../policy/policy.js'

export const TICKET_STATUSES = ['open', 'pending_customer', 'closed'] as const
export type TicketStatus = (typeof TICKET_STATUSES)[number]

export const CLOSED_REASONS = ['resolved', 'out_of_scope', 'no_response'] as const
export type ClosedReason = (typeof CLOSED_REASONS)[number]

export const COMMENT_VISIBILITIES = ['public', 'internal'] as const
export type CommentVisibility = (typeof COMMENT_VISIBILITIES)[number]

/** who did something, as recorded on the ticket and its events */
export interface ActorRef {
  id: string
  role: 'customer' | 'agent' | 'admin' | 'system'
}

export const isStaffActor = (a: ActorRef): boolean => a.role === 'agent' || a.role === 'admin' || a.role === 'system'

/**
 * One first-response cycle: the first starts when the ticket is created, each approved reopen request starts a new one.
 * `dueAt` is issued when the cycle starts (or recomputed by a severity change while the response is owed) and never
 * rewritten by later calendar edits.
 */
export interface SlaCycle {
  /** 1 for the creation cycle, +1 per reopen */
  cycle: number
  /** the plan whose targets applied when the deadline was (re)computed */
  plan: PlanId
  /** the priority the deadline was computed for */
  priority: Priority
  targetSeconds: number
  calendarId: CalendarId
  clockStartedAt: Date
  dueAt: Date
  /**
   * The first instant at which less than TICKET_POLICY.atRiskFraction of the target is left before dueAt (stored so
   * that `slaStatus` list filters are plain indexed comparisons; see sla.ts `storedSlaStatus`).
   */
  atRiskAt: Date
  firstRespondedAt: Date | null
}

/** a finished cycle kept in the ticket's SLA history when a reopen starts a new one */
export type PastSlaCycle = Omit<SlaCycle, 'atRiskAt'> & {
  status: 'met' | 'breached'
  /** when the cycle was superseded (the reopen approval) */
  endedAt: Date
}

export interface Requester { name: string; email: string }

/** the ticket's identity in an integrator's system (unique per organization, system and externalId) */
export interface ExternalRef { system: string; externalId: string; url: string | null }

export interface Ticket {
  id: string
  organizationId: string
  subject: string
  description: string
  severity: Severity
  /** the current priority (from the current severity) */
  priority: Priority
  channel: Channel
  requester: Requester
  category: string | null
  assigneeId: string | null
  status: TicketStatus
  closedReason: ClosedReason | null
  closeNote: string | null
  closedAt: Date | null
  closedBy: ActorRef | null
  /** unanswered contact attempts (agent public comments awaiting the customer); a customer comment resets it */
  contactAttempts: number
  sla: SlaCycle
  slaHistory: PastSlaCycle[]
  /** lower-case labels (src/domain/tickets/tags.ts); absent: none */
  tags?: string[]
  /** references in integrators' systems (absent: none) */
  externalRefs?: ExternalRef[]
  createdBy: ActorRef
  /** when the customer made contact (the first cycle's clock start); equals createdAt unless back-dated by staff */
  receivedAt: Date
  version: number
  createdAt: Date
  updatedAt: Date
}

export interface TicketComment {
  id: string
  ticketId: string
  organizationId: string
  body: string
  visibility: CommentVisibility
  awaitingCustomer: boolean
  /** this comment stopped the first-response clock of cycle `slaCycle` */
  firstResponse: boolean
  slaCycle: number
  author: ActorRef
  /** the comment went out (public agent comments, contact attempts) or came in by email; absent/null: it did not */
  email?: CommentEmail | null
  createdAt: Date
}

/** a comment's email: its Message-ID, and the delivery outcome (outbound) or the authentication verdict (inbound) */
export interface CommentEmail {
  direction: 'outbound' | 'inbound'
  messageId: string
  /** outbound: queued until delivered; failed = permanently undeliverable */
  delivery?: 'queued' | 'sent' | 'failed'
  deliveredAt?: string | null
  error?: string | null
  /** inbound: SPF, DKIM and DMARC results and the From domain's DMARC policy */
  authentication?: { spf: string; dkim: string; dmarc: string; dmarcPolicy: string | null; fromDomain: string }
}
