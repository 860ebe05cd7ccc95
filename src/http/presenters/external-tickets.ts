import type * as external from '../../application/external-tickets.js'
import type { UpsertExternalTicketBody } from '../schemas/external-tickets.js'
import type { Static } from '@sinclair/typebox'
import { openingInputOf } from './tickets.js'

/** the upsert's fields as the use case takes them (the single upsert and every batch item) */
export const upsertInputOf = (b: Static<typeof UpsertExternalTicketBody>): external.ExternalTicketInput => ({ ...openingInputOf(b), url: b.url })
