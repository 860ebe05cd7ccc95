/**
 * First-response deadlines: what the SLA engine gives a ticket, and the explanation of it (the business windows the
 * deadline was counted through).
 *
 * `computeFirstResponseDeadline` is the one place where policy (plan × severity → priority, target, calendar) meets
 * the stored calendar (windows + holidays as of now) and the pure engine; ticket creation and the preview both use
 * it, so a preview shows exactly what a ticket created at the same instant would get. A deadline is computed once,
 * when the clock starts; later holiday changes never rewrite it.
 */
import { assertOrgAccess, type Principal } from '../domain/access.js'
import { DomainError } from '../domain/errors.js'
import { assertSubscriptionCurrent } from '../domain/organizations/organization.js'
import { responseTarget, type CalendarId, type PlanId, type Priority, type ResponseTarget, type Severity } from '../domain/policy/policy.js'
import { addBusinessTime, businessSegments, type BusinessCalendar, type TimeSegment } from '../domain/sla/calendar.js'
import type { DbOrTx } from '../db/client.js'
import type { AppContext } from './context.js'
import { requireOrganization } from './guards.js'

export interface FirstResponseDeadlineInput {
  plan: PlanId
  severity: Severity
  /** when the clock starts (ticket creation) */
  at: Date
}

export interface FirstResponseDeadline {
  plan: PlanId
  severity: Severity
  priority: Priority
  /** the policy entry (targetSeconds, calendarId, label) */
  target: ResponseTarget
  targetSeconds: number
  calendarId: CalendarId
  /** true on business-hours calendars, false on the 24/7 one */
  businessHours: boolean
  /** the calendar as loaded (windows and holidays at computation time) */
  calendar: BusinessCalendar
  /** when the clock started (= input.at) */
  startAt: Date
  dueAt: Date
  /** the counted business time, in order; durations sum to targetSeconds, the last one ends at dueAt */
  segments: TimeSegment[]
}

/**
 * The first-response deadline a ticket of this plan and severity gets when its clock starts at `at`. Pass the
 * caller's transaction as `tx` to read the calendar inside it. Pure computation apart from loading the (cached)
 * calendar; no access checks (callers do them).
 */
export async function computeFirstResponseDeadline (ctx: AppContext, input: FirstResponseDeadlineInput, tx?: DbOrTx): Promise<FirstResponseDeadline> {
  const target = responseTarget(input.plan, input.severity)
  const calendar = await ctx.calendars.require(target.calendarId, tx)
  const dueAt = addBusinessTime(input.at, target.targetSeconds, calendar)
  const segments = businessSegments(input.at, target.targetSeconds, calendar)
  return {
    plan: input.plan,
    severity: input.severity,
    priority: target.priority,
    target,
    targetSeconds: target.targetSeconds,
    calendarId: target.calendarId,
    businessHours: target.calendarId !== 'always',
    calendar,
    startAt: new Date(input.at),
    dueAt,
    segments
  }
}

export interface SlaPreviewInput {
  plan?: PlanId
  organizationId?: string
  severity: Severity
  /** defaults to now */
  at?: Date
}

export interface SlaPreview extends FirstResponseDeadline {
  /** the organization whose plan was used, or null when a plan was given */
  organizationId: string | null
}

/**
 * What a ticket would get: exactly one of `plan` or `organizationId` (400 validation-failed otherwise). Anyone may
 * preview a plan; an organization's preview needs access to it (another organization's id is 404) and a current
 * subscription (403 subscription-inactive, as ticket creation would refuse).
 */
export async function previewSla (ctx: AppContext, p: Principal, input: SlaPreviewInput): Promise<SlaPreview> {
  const hasPlan = input.plan !== undefined
  const hasOrg = input.organizationId !== undefined
  if (hasPlan === hasOrg) {
    const message = hasPlan ? 'give only one of plan or organizationId' : 'give one of plan or organizationId'
    throw new DomainError('validation-failed', `Exactly one of plan or organizationId is required: ${message}`, {
      errors: [{ path: '/plan', message }, { path: '/organizationId', message }]
    })
  }
  const now = ctx.now()
  const at = input.at ?? now
  let plan: PlanId
  let organizationId: string | null = null
  if (input.organizationId !== undefined) {
    organizationId = input.organizationId
    assertOrgAccess(p, organizationId, 'Organization')
    const org = await requireOrganization(ctx.database.db, organizationId)
    assertSubscriptionCurrent(org, now)
    plan = org.plan
  } else {
    plan = input.plan as PlanId
  }
  const deadline = await computeFirstResponseDeadline(ctx, { plan, severity: input.severity, at })
  return { ...deadline, organizationId }
}
