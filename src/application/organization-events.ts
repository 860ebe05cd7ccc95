import { assertOrgAccess, isStaff, type Principal } from '../domain/access.js'
import { listOrganizationEvents, type EventRow } from '../db/repositories/organization-events.js'

export type { EventRow }
import type { AppContext } from './context.js'
import { requireOrganization } from './guards.js'
import { pageOf, type Page } from './page.js'

export interface OrganizationEventsQuery {
  limit: number
  order: 'newest' | 'oldest'
  afterId?: number
  type?: string
  resourceId?: string
}

/**
 * The history of one organization (calls, checklist items, representative, tickets, the organization itself), read
 * from the outbox. Customers see their own organization only and never `internal` events (internal comments).
 */
export async function listEvents (ctx: AppContext, p: Principal, organizationId: string, q: OrganizationEventsQuery): Promise<Page<EventRow>> {
  assertOrgAccess(p, organizationId, 'Organization')
  await requireOrganization(ctx.database.db, organizationId)
  const rows = await listOrganizationEvents(ctx.database.db, organizationId, { ...q, limit: q.limit + 1, includeInternal: isStaff(p) })
  return pageOf(rows, q.limit)
}
