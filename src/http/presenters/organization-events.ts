import type { EventRow } from '../../application/organization-events.js'
import { iso } from '../../domain/time.js'

export const presentEvent = (e: EventRow) => ({
  id: String(e.id),
  type: e.type,
  occurredAt: iso(e.occurredAt),
  organizationId: e.organizationId ?? '',
  resource: { type: e.resourceType, id: e.resourceId, version: e.resourceVersion },
  ticketId: e.ticketId,
  visibility: e.visibility,
  actor: { id: e.actorId, role: e.actorRole },
  data: e.data
})
