import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm'
import type { DbOrTx } from '../client.js'
import { events } from '../schema/events.js'

export type EventRow = typeof events.$inferSelect

export interface OrganizationEventQuery {
  limit: number
  /** 'newest': id descending (default); 'oldest': id ascending */
  order: 'newest' | 'oldest'
  /** keyset position: the id of the last event of the previous page */
  afterId?: number
  includeInternal: boolean
  type?: string
  resourceId?: string
}

/** an organization's events in id order (the order they were written in), keyset-paginated */
export async function listOrganizationEvents (db: DbOrTx, organizationId: string, q: OrganizationEventQuery): Promise<EventRow[]> {
  const conditions: SQL[] = [eq(events.organizationId, organizationId)]
  if (!q.includeInternal) conditions.push(eq(events.visibility, 'public'))
  if (q.type !== undefined) conditions.push(eq(events.type, q.type))
  if (q.resourceId !== undefined) conditions.push(eq(events.resourceId, q.resourceId))
  if (q.afterId !== undefined) conditions.push(q.order === 'newest' ? lt(events.id, q.afterId) : gt(events.id, q.afterId))
  return await db.select().from(events).where(and(...conditions))
    .orderBy(q.order === 'newest' ? desc(events.id) : asc(events.id)).limit(q.limit)
}
