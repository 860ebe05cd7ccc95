/**
 * The write guards every use case uses: load-or-404, the organization a caller may act for, the If-Match version check
 * and the stale-write check of a version-conditional UPDATE, and the subscription gate. One place, so a use case reads
 * as its story: load (guarded), decide with domain code, persist (version-checked), record the event.
 */
import { isStaff, type Principal } from '../domain/access.js'
import { DomainError, notFound } from '../domain/errors.js'
import type { Organization } from '../domain/organizations/organization.js'
import { assertSubscriptionAllows, requiresCurrentSubscription, type TicketAction } from '../domain/tickets/subscription.js'
import type { DbOrTx } from '../db/client.js'
import { findOrganization } from '../db/repositories/organizations.js'

/** load-or-404: the value, or 404 `<what> not found` when there is none */
export function found<T> (value: T | undefined, what: string): T {
  if (value === undefined) throw notFound(what)
  return value
}

/** the organization, or 404 */
export async function requireOrganization (db: DbOrTx, id: string): Promise<Organization> {
  return found(await findOrganization(db, id), 'Organization')
}

/** the organization the caller may act for: a scoped token implies (and only allows) its own */
export function organizationFor (p: Principal, given: string | undefined): string {
  if (p.orgId !== null) {
    if (given !== undefined && given !== p.orgId) throw notFound('Organization')
    return p.orgId
  }
  if (!isStaff(p)) throw notFound('Organization')
  if (given === undefined) throw new DomainError('organization-required', 'organizationId is required for agents and admins')
  return given
}

/**
 * How a 412's detail ends. The ticket family (tickets, comments, severity, reopen requests, KB) says "fetch it again and
 * retry"; organizations, onboarding calls, responsibilities, calendars and webhook endpoints say it shorter. Both kept
 * as they are: the detail is what clients read.
 */
export type Wording = 'again' | 'short'

/** If-Match: the caller's version must be the stored one (checked on the locked row) */
export function checkVersion (what: string, expected: number | undefined, current: number, wording: Wording = 'again'): void {
  if (expected !== undefined && expected !== current) {
    const detail = `The ${what} is at version ${current}, not ${expected}`
    throw new DomainError('precondition-failed', wording === 'again' ? `${detail}; fetch it again and retry` : detail, { currentVersion: current })
  }
}

/** 412 for a version-conditional UPDATE that matched no row: another writer came first */
export const staleWrite = (what: string, wording: Wording = 'again'): DomainError =>
  new DomainError('precondition-failed', `The ${what} changed concurrently; fetch it ${wording === 'again' ? 'again ' : ''}and retry`)

/** the saved row of a version-conditional UPDATE, or 412 stale write */
export function savedOrStale<T> (saved: T | undefined, what: string, wording: Wording = 'again'): T {
  if (saved === undefined) throw staleWrite(what, wording)
  return saved
}

/**
 * 403 subscription-inactive when the caller needs a current subscription for `action` (src/domain/tickets/subscription.ts)
 * and the organization has none; loads the organization (on the transaction) only when the rule needs it.
 */
export async function assertSubscriptionFor (db: DbOrTx, p: Principal, action: TicketAction, organization: Organization | string, now: Date): Promise<void> {
  const by = isStaff(p) ? 'staff' : 'customer'
  if (!requiresCurrentSubscription(action, by)) return
  const org = typeof organization === 'string' ? await requireOrganization(db, organization) : organization
  assertSubscriptionAllows(action, { organization: org, by, now })
}
