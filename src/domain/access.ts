import { DomainError } from './errors.js'

export const ROLES = ['customer', 'agent', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** who is calling, from a verified token */
export interface Principal {
  subject: string
  roles: readonly Role[]
  /** set for customers (required) and for any token scoped to one organization */
  orgId: string | null
}

export const isStaff = (p: Principal): boolean => p.roles.includes('agent') || p.roles.includes('admin')
export const isAdmin = (p: Principal): boolean => p.roles.includes('admin')

/** the role recorded on audit events: the most privileged one the token has */
export const primaryRole = (p: Principal): Role =>
  p.roles.includes('admin') ? 'admin' : p.roles.includes('agent') ? 'agent' : 'customer'

/** who did it, as audit events and records name the caller */
export const actorOf = (p: Principal): { id: string; role: Role } => ({ id: p.subject, role: primaryRole(p) })

export function requireRole (p: Principal, ...allowed: Role[]): void {
  if (!p.roles.some((r) => allowed.includes(r))) {
    throw new DomainError('forbidden', `This action needs one of the roles: ${allowed.join(', ')}`, { requiredRoles: allowed })
  }
}

/**
 * Actions that reach beyond one organization (creating organizations, changing shared calendars, changing a plan or
 * subscription) need the role on an unscoped token: a token with org_id only ever acts within that organization.
 */
export function requireGlobalRole (p: Principal, ...allowed: Role[]): void {
  requireRole(p, ...allowed)
  if (p.orgId !== null) {
    throw new DomainError('forbidden', 'A token scoped to one organization (org_id) may not do this; use an unscoped staff token', { requiredRoles: allowed })
  }
}

/**
 * The organizations a principal may see: one (a token with org_id sees only that one), every one (null: staff on an
 * unscoped token), or none (undefined). For statements that filter by it instead of checking a row they read.
 */
export const orgScope = (p: Principal): string | null | undefined =>
  p.orgId !== null ? p.orgId : isStaff(p) ? null : undefined

/** true when the principal may see resources of this organization */
export const canAccessOrg = (p: Principal, organizationId: string): boolean => {
  const scope = orgScope(p)
  return scope === null || scope === organizationId
}

/**
 * Tenancy check for a resource that exists: another organization's resource is reported as absent (404),
 * never as forbidden, so ids of other tenants cannot be probed.
 */
export function assertOrgAccess (p: Principal, organizationId: string, what: string): void {
  if (!canAccessOrg(p, organizationId)) throw new DomainError('not-found', `${what} not found`)
}
