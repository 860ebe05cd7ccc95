import { sql, type ColumnsSelection } from 'drizzle-orm'
import type { TypedQueryBuilder } from 'drizzle-orm/query-builders/query-builder'
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
 * An event's columns as placeholders (values as `eventParams` gives them), for every prepared statement that inserts
 * one. Prepared (issue 7): a plain drizzle insert was built, parsed and planned anew on every write (drizzle runs
 * query-builder calls unprepared on postgres.js). Values are passed as the driver expects them (timestamps as ISO text,
 * jsonb as JSON text).
 */
export const eventPlaceholders = (): typeof events.$inferInsert => ({
  type: p('eventType'),
  organizationId: p('eventOrganizationId', 'uuid'),
  resourceType: p('eventResourceType'),
  resourceId: p('eventResourceId', 'uuid'),
  resourceVersion: p('eventResourceVersion', 'integer'),
  ticketId: p('eventTicketId', 'uuid'),
  visibility: p('eventVisibility'),
  actorId: p('eventActorId'),
  actorRole: p('eventActorRole'),
  occurredAt: p('eventOccurredAt', 'timestamptz'),
  data: p('eventData', 'jsonb')
} as unknown as typeof events.$inferInsert)

/** the values of `eventPlaceholders` for one event */
export function eventParams (event: NewEvent): Record<string, unknown> {
  const v = eventValues(event)
  return {
    eventType: v.type,
    eventOrganizationId: v.organization_id,
    eventResourceType: v.resource_type,
    eventResourceId: v.resource_id,
    eventResourceVersion: v.resource_version,
    eventTicketId: v.ticket_id,
    eventVisibility: v.visibility,
    eventActorId: v.actor_id,
    eventActorRole: v.actor_role,
    eventOccurredAt: v.occurred_at,
    eventData: JSON.stringify(v.data)
  }
}

const insertEvent = new PreparedStatement('event_insert', (db, name) => db.insert(events).values(eventPlaceholders()).prepare(name))

/**
 * A row and its outbox event in one statement (issue 15): `WITH <name> AS (<insert> RETURNING …) INSERT INTO events …`,
 * the event's values as `eventParams` gives them. A data-modifying WITH runs once and to completion whether or not it
 * is read, both rows commit or roll back together, and statement-level triggers of the row's table (the search
 * documents) fire at the end of the statement as for a plain insert.
 */
export function withEvent (db: DbOrTx, name: string, insert: TypedQueryBuilder<ColumnsSelection>) {
  return db.with(db.$with(name).as(insert)).insert(events).values(eventPlaceholders())
}

/**
 * Writes an outbox event. Call it with the transaction that makes the change, never with the plain database
 * handle, so that a change without its event (or an event without its change) cannot exist.
 */
export async function recordEvent (tx: DbOrTx, event: NewEvent): Promise<void> {
  await insertEvent.execute(tx, eventParams(event))
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
