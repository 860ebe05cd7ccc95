import { events } from './schema/events.js'
import type { DbOrTx } from './client.js'

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
 * Writes an outbox event. Call it with the transaction that makes the change, never with the plain database
 * handle, so that a change without its event (or an event without its change) cannot exist.
 */
export async function recordEvent (tx: DbOrTx, event: NewEvent): Promise<void> {
  await tx.insert(events).values({
    type: event.type,
    organizationId: event.organizationId,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    resourceVersion: event.resourceVersion ?? null,
    ticketId: event.ticketId ?? null,
    visibility: event.visibility ?? 'public',
    actorId: event.actor.id,
    actorRole: event.actor.role,
    occurredAt: event.occurredAt,
    data: event.data
  })
}
