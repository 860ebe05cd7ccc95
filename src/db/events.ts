import { sql } from 'drizzle-orm'
import { events } from './schema/events.js'
import type { DbOrTx } from './client.js'
import { PreparedStatement, placeholder as p } from './prepared.js'
import { iso } from '../domain/time.js'

export interface Actor { id: string; role: 'customer' | 'agent' | 'admin' | 'system' }

export interface NewEvent {
  type: string
  organizationId: string | null
  resourceType: string
  resourceId: string
  resourceVersion?: number | null
  ticketId?: string | null
  visibility?: 'public' | 'internal'
  actor: Actor
  occurredAt: Date
  data: Record<string, unknown>
}

/**
 * One prepared INSERT for every event (issue 7): a plain drizzle insert was built, parsed and planned anew on every
 * write (drizzle runs query-builder calls unprepared on postgres.js). Values are passed as the driver expects them
 * (timestamps as ISO text, jsonb as JSON text).
 */
const insertEvent = new PreparedStatement('event_insert', (db, name) =>
  db.insert(events).values({
    type: p('type'),
    organizationId: p('organizationId', 'uuid'),
    resourceType: p('resourceType'),
    resourceId: p('resourceId', 'uuid'),
    resourceVersion: p('resourceVersion', 'integer'),
    ticketId: p('ticketId', 'uuid'),
    visibility: p('visibility'),
    actorId: p('actorId'),
    actorRole: p('actorRole'),
    occurredAt: p('occurredAt', 'timestamptz'),
    data: p('data', 'jsonb')
  } as unknown as typeof events.$inferInsert).prepare(name))

/**
 * Writes an outbox event. Call it with the transaction that makes the change, never with the plain database
 * handle, so that a change without its event (or an event without its change) cannot exist.
 */
export async function recordEvent (tx: DbOrTx, event: NewEvent): Promise<void> {
  const v = eventValues(event)
  await insertEvent.execute(tx, {
    type: v.type,
    organizationId: v.organization_id,
    resourceType: v.resource_type,
    resourceId: v.resource_id,
    resourceVersion: v.resource_version,
    ticketId: v.ticket_id,
    visibility: v.visibility,
    actorId: v.actor_id,
    actorRole: v.actor_role,
    occurredAt: v.occurred_at,
    data: JSON.stringify(v.data)
  })
}

/** the one mapping of an event to its column values (timestamps as ISO text), for both inserts */
const eventValues = (event: NewEvent) => ({
  type: event.type,
  organization_id: event.organizationId,
  resource_type: event.resourceType,
  resource_id: event.resourceId,
  resource_version: event.resourceVersion ?? null,
  ticket_id: event.ticketId ?? null,
  visibility: event.visibility ?? 'public',
  actor_id: event.actor.id,
  actor_role: event.actor.role,
  occurred_at: iso(event.occurredAt),
  data: event.data
})

/**
 * Writes many outbox events in one statement, in the given order (the batch upsert, issue 15): the same values as
 * recordEvent, as one jsonb array; the feed's ids are assigned in array order.
 */
export async function recordEvents (tx: DbOrTx, list: readonly NewEvent[]): Promise<void> {
  if (list.length === 0) return
  const rows = list.map((event, ord) => ({ ord, ...eventValues(event) }))
  await tx.execute(sql`insert into ${events} (type, organization_id, resource_type, resource_id, resource_version, ticket_id, visibility, actor_id, actor_role, occurred_at, data)
    select type, organization_id, resource_type, resource_id, resource_version, ticket_id, visibility, actor_id, actor_role, occurred_at, data
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(ord integer, type text, organization_id uuid, resource_type text, resource_id uuid, resource_version integer, ticket_id uuid, visibility text, actor_id text, actor_role text, occurred_at timestamptz, data jsonb)
    order by ord`)
}
