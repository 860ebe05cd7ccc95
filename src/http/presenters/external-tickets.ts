import type * as external from '../../application/external-tickets.js'
import type { UpsertExternalTicketBody } from '../schemas/external-tickets.js'
import type { Static } from '@sinclair/typebox'

/** the upsert's fields as the use case takes them (the single upsert and every batch item) */
export const upsertInputOf = (b: Static<typeof UpsertExternalTicketBody>): external.ExternalTicketInput => ({
  subject: b.subject,
  description: b.description,
  severity: b.severity,
  channel: b.channel,
  requester: b.requester,
  category: b.category,
  tags: b.tags,
  url: b.url,
  receivedAt: b.receivedAt === undefined ? undefined : new Date(b.receivedAt)
})
