import { assertOrgAccess, isStaff, requireRole, type Principal } from '../domain/access.js'
import { readFeed, type FeedPosition, type FeedRow } from '../db/repositories/change-feed.js'
import type { AppContext } from './context.js'
import { iso } from '../domain/time.js'
import { pageOf, type Page } from './page.js'

export interface FeedScope {
  /** the organization the caller reads (forced for org-scoped tokens), or undefined: every organization */
  organizationId?: string
  includeInternal: boolean
}

/**
 * Who reads what: customers (and any token with org_id) read only their organization and — customers — never
 * internal events; agents and admins read everything, optionally filtered to one organization. Another
 * organization's id is a 404, as everywhere.
 */
export function feedScope (p: Principal, organizationId: string | undefined): FeedScope {
  if (!isStaff(p)) requireRole(p, 'customer')
  if (organizationId !== undefined) assertOrgAccess(p, organizationId, 'Organization')
  return { organizationId: p.orgId ?? organizationId, includeInternal: isStaff(p) }
}

/** one page of the change feed (see src/db/repositories/change-feed.ts for the safe horizon) */
export async function readChangeFeed (ctx: AppContext, scope: FeedScope, q: { after?: FeedPosition; limit: number; types?: string[] }): Promise<Page<FeedRow>> {
  const rows = await readFeed(ctx.database.db, { ...q, ...scope, limit: q.limit + 1 })
  return pageOf(rows, q.limit)
}

/**
 * An event as the change feed (GET /v1/events) and the webhooks (issue 13) both hand it out: one shape for pull and
 * push, so a webhook body is exactly what the feed returns.
 */
export const presentChangeEvent = (e: FeedRow) => ({
  id: String(e.id),
  type: e.type,
  occurredAt: iso(e.occurredAt),
  organizationId: e.organizationId,
  resource: { type: e.resourceType, id: e.resourceId, version: e.resourceVersion },
  ticketId: e.ticketId,
  actor: { id: e.actorId, role: e.actorRole },
  data: e.data
})
