import type * as hooks from '../../application/webhooks.js'
import type { AttemptRow, DeliveryRow } from '../../application/webhooks.js'
import { iso } from '../../domain/time.js'

export const presentEndpoint = (e: hooks.Endpoint, now: Date) => ({
  id: e.id,
  organizationId: e.organizationId,
  url: e.url,
  description: e.description,
  eventTypes: e.eventTypes,
  enabled: e.enabled,
  disabledReason: e.disabledReason as 'gone' | 'failing' | null,
  secretRotationEndsAt: e.previousSecretExpiresAt !== null && e.previousSecretExpiresAt > now ? iso(e.previousSecretExpiresAt) : null,
  version: e.version,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt)
})

export const presentAttempt = (a: AttemptRow) => ({
  attemptedAt: iso(a.attemptedAt), statusCode: a.statusCode, durationMs: a.durationMs, error: a.error, responseExcerpt: a.responseExcerpt
})

export const presentDelivery = (d: DeliveryRow & { attempts: AttemptRow[] }) => ({
  id: d.id,
  endpointId: d.endpointId,
  eventId: String(d.eventId),
  eventType: d.eventType,
  webhookId: d.messageId,
  status: d.status,
  attempts: d.attempts.map(presentAttempt),
  nextAttemptAt: d.nextAttemptAt === null ? null : iso(d.nextAttemptAt),
  createdAt: iso(d.createdAt)
})
