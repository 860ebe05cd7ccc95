/**
 * Onboarding-call use cases. Each write is one transaction: lock the organization row, load, decide with the domain
 * rules, persist, record the event.
 *
 * Concurrency: a booking locks the organization row (SELECT … FOR NO KEY UPDATE) before counting the term's calls and
 * inserting the new one, so bookings of one organization are serialised across connections and app instances: with
 * one credit left, exactly one of any number of concurrent bookings wins and the others see the credit gone (409).
 * Every write locks in the same order (organization, then call), so two writes cannot deadlock each other.
 */
import { actorOf, assertOrgAccess, isStaff, requireRole, type Principal } from '../domain/access.js'
import { DomainError } from '../domain/errors.js'
import {
  assertBookableTime,
  assertCallModifiable,
  assertCallTransition,
  assertReschedulable,
  type Attendee,
  type CallStatusChange,
  type OnboardingCall
} from '../domain/onboarding/calls.js'
import { assertCreditLeft, entitlement, inTerm, type CallStatus, type Entitlement } from '../domain/onboarding/entitlement.js'
import { assertSubscriptionCurrent, type Organization } from '../domain/organizations/organization.js'
import { ONBOARDING_POLICY, type CalendarId } from '../domain/policy/policy.js'
import { recordEvent } from '../db/events.js'
import type { DbOrTx } from '../db/client.js'
import * as repo from '../db/repositories/onboarding.js'
import type { AppContext } from './context.js'
import { iso } from '../domain/time.js'
import { checkVersion, found, requireOrganization, savedOrStale } from './guards.js'
import { pageOf, type Page } from './page.js'

export interface EntitlementView extends Entitlement { calendarId: CalendarId }

export interface BookCallInput {
  scheduledAt: Date
  durationMinutes: number
  attendees: Attendee[]
  agenda?: string | null
}

export interface UpdateCallInput {
  scheduledAt?: Date
  durationMinutes?: number
  attendees?: Attendee[]
  agenda?: string | null
  status?: CallStatusChange
}

const snapshot = (c: OnboardingCall) => ({
  scheduledAt: iso(c.scheduledAt),
  durationMinutes: c.durationMinutes,
  attendees: c.attendees,
  agenda: c.agenda,
  status: c.status,
  calendarId: c.calendarId
})

const termOf = (org: Organization) => ({ termStart: org.subscription.termStart, termEnd: org.subscription.termEnd })

async function entitlementOf (db: DbOrTx, org: Organization, opts: { excludeCallId?: string } = {}): Promise<Entitlement> {
  const term = termOf(org)
  return entitlement(org.plan, term, await repo.countCallsInTerm(db, org.id, term, opts))
}

/** the organization, when the caller may see it (foreign or absent → 404) */
async function visibleOrganization (ctx: AppContext, p: Principal, organizationId: string): Promise<Organization> {
  assertOrgAccess(p, organizationId, 'Organization')
  return await requireOrganization(ctx.database.db, organizationId)
}

export async function getEntitlement (ctx: AppContext, p: Principal, organizationId: string): Promise<EntitlementView> {
  const org = await visibleOrganization(ctx, p, organizationId)
  return { ...await entitlementOf(ctx.database.db, org), calendarId: ONBOARDING_POLICY.calendarFor(org.plan) }
}

export async function bookCall (ctx: AppContext, p: Principal, organizationId: string, input: BookCallInput): Promise<OnboardingCall> {
  assertOrgAccess(p, organizationId, 'Organization')
  const now = ctx.now()
  const actor = actorOf(p)
  return await ctx.transaction(async (tx) => {
    const org = found(await repo.lockOrganization(tx, organizationId), 'Organization')
    assertSubscriptionCurrent(org, now)
    const before = await entitlementOf(tx, org)
    assertCreditLeft(before)
    const calendarId = ONBOARDING_POLICY.calendarFor(org.plan)
    const calendar = await ctx.calendars.require(calendarId, tx)
    assertBookableTime({ scheduledAt: input.scheduledAt, durationMinutes: input.durationMinutes, now, term: termOf(org), calendar })
    const call = await repo.insertCall(tx, {
      organizationId,
      scheduledAt: input.scheduledAt,
      durationMinutes: input.durationMinutes,
      attendees: input.attendees,
      agenda: input.agenda ?? null,
      calendarId,
      actor
    }, now)
    await recordEvent(tx, {
      type: 'onboarding_call.scheduled', organizationId, resourceType: 'onboarding_call', resourceId: call.id,
      resourceVersion: call.version, actor, occurredAt: now,
      data: { after: snapshot(call), remaining: before.remaining - 1 }
    })
    return call
  })
}

export async function listCalls (ctx: AppContext, p: Principal, organizationId: string, opts: { limit: number; after?: { scheduledAt: Date; id: string }; status?: CallStatus }): Promise<Page<OnboardingCall>> {
  await visibleOrganization(ctx, p, organizationId)
  const rows = await repo.listCalls(ctx.database.db, organizationId, { ...opts, limit: opts.limit + 1 })
  return pageOf(rows, opts.limit)
}

export async function getCall (ctx: AppContext, p: Principal, callId: string): Promise<OnboardingCall> {
  const call = found(await repo.findCall(ctx.database.db, callId), 'Onboarding call')
  assertOrgAccess(p, call.organizationId, 'Onboarding call')
  return call
}

const sameAttendees = (a: Attendee[], b: Attendee[]): boolean =>
  a.length === b.length && a.every((x, i) => x.name === b[i]?.name && x.email === b[i]?.email)

/**
 * PATCH of a call: either a status change (`status` alone) or a change of time and details. A reschedule passes the
 * same checks as a booking; it needs a credit only when it brings into the current term a call that was not counted
 * there (e.g. a call left from an earlier term), so rescheduling after a downgrade never takes away what was booked.
 * Customers can move a call only before it starts (409 call-already-started), staff at any time while scheduled.
 */
export async function updateCall (ctx: AppContext, p: Principal, callId: string, input: UpdateCallInput, expectedVersion: number | undefined): Promise<OnboardingCall> {
  const seen = await getCall(ctx, p, callId)
  const now = ctx.now()
  const actor = actorOf(p)
  const detailFields = (['scheduledAt', 'durationMinutes', 'attendees', 'agenda'] as const).filter((f) => input[f] !== undefined)
  if (input.status !== undefined && detailFields.length > 0) {
    throw new DomainError('validation-failed', 'Change the status on its own: status cannot be combined with other fields', {
      errors: detailFields.map((f) => ({ path: `/${f}`, message: 'cannot be combined with status' }))
    })
  }
  if (input.status === 'completed' || input.status === 'no_show') requireRole(p, 'agent', 'admin')

  return await ctx.transaction(async (tx) => {
    const org = found(await repo.lockOrganization(tx, seen.organizationId), 'Onboarding call')
    const current = found(await repo.findCall(tx, callId, { forUpdate: true }), 'Onboarding call')
    checkVersion('call', expectedVersion, current.version, 'short')

    let next: OnboardingCall
    let type: string
    if (input.status !== undefined) {
      assertCallTransition({ from: current.status, to: input.status, by: isStaff(p) ? 'staff' : 'customer', scheduledAt: current.scheduledAt, now })
      next = { ...current, status: input.status }
      type = `onboarding_call.${input.status}`
    } else {
      assertCallModifiable(current.status)
      assertSubscriptionCurrent(org, now)
      next = {
        ...current,
        scheduledAt: input.scheduledAt ?? current.scheduledAt,
        durationMinutes: input.durationMinutes ?? current.durationMinutes,
        attendees: input.attendees ?? current.attendees,
        agenda: input.agenda === undefined ? current.agenda : input.agenda
      }
      const moved = next.scheduledAt.getTime() !== current.scheduledAt.getTime() || next.durationMinutes !== current.durationMinutes
      if (!moved && sameAttendees(next.attendees, current.attendees) && next.agenda === current.agenda) return current // nothing changes
      if (moved) {
        assertReschedulable({ call: current, by: isStaff(p) ? 'staff' : 'customer', now })
        const term = termOf(org)
        const calendarId = ONBOARDING_POLICY.calendarFor(org.plan)
        const calendar = await ctx.calendars.require(calendarId, tx)
        assertBookableTime({ scheduledAt: next.scheduledAt, durationMinutes: next.durationMinutes, now, term, calendar })
        if (!inTerm(current.scheduledAt, term)) assertCreditLeft(await entitlementOf(tx, org, { excludeCallId: current.id }))
        next = { ...next, calendarId }
      }
      type = moved ? 'onboarding_call.rescheduled' : 'onboarding_call.updated'
    }

    const saved = savedOrStale(await repo.updateCall(tx, next, current.version, actor, now), 'call', 'short')
    await recordEvent(tx, {
      type, organizationId: saved.organizationId, resourceType: 'onboarding_call', resourceId: saved.id,
      resourceVersion: saved.version, actor, occurredAt: now, data: { before: snapshot(current), after: snapshot(saved) }
    })
    return saved
  })
}
