import { actorOf, assertOrgAccess, isStaff, requireGlobalRole, requireRole, type Principal } from '../domain/access.js'
import { DomainError } from '../domain/errors.js'
import { assertValidTerm, type Organization, type SubscriptionStatus } from '../domain/organizations/organization.js'
import type { PlanId } from '../domain/policy/policy.js'
import { recordEvent } from '../db/events.js'
import * as repo from '../db/repositories/organizations.js'
import type { AppContext } from './context.js'
import { iso } from '../domain/time.js'
import type { DbOrTx } from '../db/client.js'
import { replaceOrganizationDomains } from '../db/repositories/email.js'
import { normalizeDomain } from '../domain/email/addresses.js'
import { checkVersion, found, savedOrStale } from './guards.js'
import { pageOf, type Page } from './page.js'

export interface CreateOrganizationInput {
  name: string
  plan: PlanId
  subscription: { status?: SubscriptionStatus; termStart: Date; termEnd: Date }
  emailDomains?: string[]
}

export interface UpdateOrganizationInput {
  name?: string
  plan?: PlanId
  subscription?: { status?: SubscriptionStatus; termStart?: Date; termEnd?: Date }
  emailDomains?: string[]
}

/** registers the organization's email domains (409 email-domain-taken when another organization has one) */
async function setEmailDomains (tx: DbOrTx, org: Organization, domains: string[]): Promise<Organization> {
  const normalized = [...new Set(domains.map(normalizeDomain))].sort()
  const clash = await replaceOrganizationDomains(tx, org.id, normalized)
  if (clash !== undefined) {
    throw new DomainError('email-domain-taken', `${clash.taken} is registered to another organization`, { domain: clash.taken })
  }
  return { ...org, emailDomains: normalized }
}

const snapshot = (o: Organization) => ({
  name: o.name,
  plan: o.plan,
  emailDomains: o.emailDomains,
  subscription: { status: o.subscription.status, termStart: iso(o.subscription.termStart), termEnd: iso(o.subscription.termEnd) }
})

export async function createOrganization (ctx: AppContext, p: Principal, input: CreateOrganizationInput): Promise<Organization> {
  requireGlobalRole(p, 'admin')
  assertValidTerm(input.subscription.termStart, input.subscription.termEnd)
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const inserted = await repo.insertOrganization(tx, {
      name: input.name,
      plan: input.plan,
      subscription: { status: input.subscription.status ?? 'active', termStart: input.subscription.termStart, termEnd: input.subscription.termEnd }
    }, now)
    const org = input.emailDomains === undefined ? inserted : await setEmailDomains(tx, inserted, input.emailDomains)
    await recordEvent(tx, {
      type: 'organization.created', organizationId: org.id, resourceType: 'organization', resourceId: org.id,
      resourceVersion: org.version, actor: actorOf(p), occurredAt: now, data: { after: snapshot(org) }
    })
    return org
  })
}

/** customers (and any org-scoped token) see their own organization; another one is 404 */
export async function getOrganization (ctx: AppContext, p: Principal, id: string): Promise<Organization> {
  assertOrgAccess(p, id, 'Organization')
  return found(await repo.findOrganization(ctx.database.db, id), 'Organization')
}

export async function listOrganizations (ctx: AppContext, p: Principal, opts: { limit: number; after?: { createdAt: Date; id: string } }): Promise<Page<Organization>> {
  if (!isStaff(p)) requireRole(p, 'agent', 'admin')
  const rows = await repo.listOrganizations(ctx.database.db, { limit: opts.limit + 1, after: opts.after, onlyId: p.orgId ?? undefined })
  return pageOf(rows, opts.limit)
}

export async function updateOrganization (ctx: AppContext, p: Principal, id: string, input: UpdateOrganizationInput, expectedVersion: number | undefined): Promise<Organization> {
  assertOrgAccess(p, id, 'Organization')
  requireGlobalRole(p, 'admin')
  const now = ctx.now()
  return await ctx.transaction(async (tx) => {
    const current = found(await repo.findOrganization(tx, id, { forUpdate: true }), 'Organization')
    checkVersion('organization', expectedVersion, current.version, 'short')
    const next: Organization = {
      ...current,
      name: input.name ?? current.name,
      plan: input.plan ?? current.plan,
      subscription: {
        status: input.subscription?.status ?? current.subscription.status,
        termStart: input.subscription?.termStart ?? current.subscription.termStart,
        termEnd: input.subscription?.termEnd ?? current.subscription.termEnd
      }
    }
    assertValidTerm(next.subscription.termStart, next.subscription.termEnd)
    const updated = savedOrStale(await repo.updateOrganization(tx, next, current.version, now), 'organization', 'short')
    const saved = input.emailDomains === undefined ? updated : await setEmailDomains(tx, updated, input.emailDomains)
    await recordEvent(tx, {
      type: 'organization.updated', organizationId: id, resourceType: 'organization', resourceId: id,
      resourceVersion: saved.version, actor: actorOf(p), occurredAt: now, data: { before: snapshot(current), after: snapshot(saved) }
    })
    return saved
  })
}
