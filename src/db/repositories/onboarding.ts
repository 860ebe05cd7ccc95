import { and, asc, eq, gt, gte, inArray, lt, or, sql } from 'drizzle-orm'
import type { CallCounts, CallStatus, Term } from '../../domain/onboarding/entitlement.js'
import type { CallActor, OnboardingCall } from '../../domain/onboarding/calls.js'
import type { Organization } from '../../domain/organizations/organization.js'
import type { DbOrTx } from '../client.js'
import { onboardingCalls } from '../schema/onboarding.js'
import { organizations } from '../schema/organizations.js'
import { toOrganization } from './organizations.js'

type Row = typeof onboardingCalls.$inferSelect

export const toCall = (row: Row): OnboardingCall => ({
  id: row.id,
  organizationId: row.organizationId,
  scheduledAt: row.scheduledAt,
  durationMinutes: row.durationMinutes,
  attendees: row.attendees,
  agenda: row.agenda,
  status: row.status,
  calendarId: row.calendarId,
  createdBy: { id: row.createdById, role: row.createdByRole },
  updatedBy: { id: row.updatedById, role: row.updatedByRole },
  version: row.version,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt
})

export interface NewCall {
  organizationId: string
  scheduledAt: Date
  durationMinutes: number
  attendees: Array<{ name: string; email: string }>
  agenda: string | null
  calendarId: string
  actor: CallActor
}

export async function insertCall (db: DbOrTx, call: NewCall, now: Date): Promise<OnboardingCall> {
  const [row] = await db.insert(onboardingCalls).values({
    organizationId: call.organizationId,
    scheduledAt: call.scheduledAt,
    durationMinutes: call.durationMinutes,
    attendees: call.attendees,
    agenda: call.agenda,
    status: 'scheduled',
    calendarId: call.calendarId,
    createdById: call.actor.id,
    createdByRole: call.actor.role,
    updatedById: call.actor.id,
    updatedByRole: call.actor.role,
    createdAt: now,
    updatedAt: now
  }).returning()
  if (row === undefined) throw new Error('insert returned no row')
  return toCall(row)
}

export async function findCall (db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<OnboardingCall | undefined> {
  const q = db.select().from(onboardingCalls).where(eq(onboardingCalls.id, id))
  const rows = opts.forUpdate === true ? await q.for('update') : await q
  return rows[0] === undefined ? undefined : toCall(rows[0])
}

/** writes the new state when the stored version is still `fromVersion`; undefined when someone else won */
export async function updateCall (db: DbOrTx, call: OnboardingCall, fromVersion: number, actor: CallActor, now: Date): Promise<OnboardingCall | undefined> {
  const [row] = await db.update(onboardingCalls).set({
    scheduledAt: call.scheduledAt,
    durationMinutes: call.durationMinutes,
    attendees: call.attendees,
    agenda: call.agenda,
    status: call.status,
    calendarId: call.calendarId,
    updatedById: actor.id,
    updatedByRole: actor.role,
    version: sql`${onboardingCalls.version} + 1`,
    updatedAt: now
  }).where(and(eq(onboardingCalls.id, call.id), eq(onboardingCalls.version, fromVersion))).returning()
  return row === undefined ? undefined : toCall(row)
}

/**
 * The calls of the organization that take place in the term, by status (canceled ones do not count). Run it after
 * locking the organization row, in the same transaction, so no concurrent booking can slip between count and insert.
 */
export async function countCallsInTerm (db: DbOrTx, organizationId: string, term: Term, opts: { excludeCallId?: string } = {}): Promise<CallCounts> {
  const conditions = [
    eq(onboardingCalls.organizationId, organizationId),
    gte(onboardingCalls.scheduledAt, term.termStart),
    lt(onboardingCalls.scheduledAt, term.termEnd),
    inArray(onboardingCalls.status, ['scheduled', 'completed', 'no_show'])
  ]
  if (opts.excludeCallId !== undefined) conditions.push(sql`${onboardingCalls.id} <> ${opts.excludeCallId}`)
  const rows = await db.select({ status: onboardingCalls.status, n: sql<number>`count(*)::int` })
    .from(onboardingCalls).where(and(...conditions)).groupBy(onboardingCalls.status)
  const counts: CallCounts = { scheduled: 0, completed: 0, noShow: 0 }
  for (const r of rows) {
    const n = Number(r.n)
    if (r.status === 'scheduled') counts.scheduled = n
    else if (r.status === 'completed') counts.completed = n
    else if (r.status === 'no_show') counts.noShow = n
  }
  return counts
}

/** ordered by scheduledAt, then id */
export async function listCalls (db: DbOrTx, organizationId: string, opts: { limit: number; after?: { scheduledAt: Date; id: string }; status?: CallStatus }): Promise<OnboardingCall[]> {
  const conditions = [eq(onboardingCalls.organizationId, organizationId)]
  if (opts.status !== undefined) conditions.push(eq(onboardingCalls.status, opts.status))
  if (opts.after !== undefined) {
    const a = opts.after
    const next = or(gt(onboardingCalls.scheduledAt, a.scheduledAt), and(eq(onboardingCalls.scheduledAt, a.scheduledAt), gt(onboardingCalls.id, a.id)))
    if (next !== undefined) conditions.push(next)
  }
  const rows = await db.select().from(onboardingCalls).where(and(...conditions))
    .orderBy(asc(onboardingCalls.scheduledAt), asc(onboardingCalls.id)).limit(opts.limit)
  return rows.map(toCall)
}

/**
 * Locks the organization row for the rest of the transaction (FOR NO KEY UPDATE: serialises the bookings of one
 * organization and plan/term changes, which lock FOR UPDATE, without blocking inserts elsewhere that only reference
 * the organization through a foreign key, since those take FOR KEY SHARE).
 */
export async function lockOrganization (db: DbOrTx, id: string): Promise<Organization | undefined> {
  const rows = await db.select().from(organizations).where(eq(organizations.id, id)).for('no key update')
  return rows[0] === undefined ? undefined : toOrganization(rows[0])
}
